-- Billing facts of the demo lines ($1: the first new case id): every seeded case's line as its
-- newest case describes it.
INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date, min_term_end,
                           etf_minor, balance_minor, currency, bound_services)
SELECT DISTINCT ON (msisdn) msisdn, account_number, line_type, activation_date, min_term_end,
       etf_minor, balance_minor, currency, bound_services
FROM cases
WHERE id > $1 AND activation_date IS NOT NULL
ORDER BY msisdn, id DESC
ON CONFLICT (msisdn) DO NOTHING;
