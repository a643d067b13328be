-- Billing facts of the demo lines ($1: the first new case id): every seeded case's line as its
-- newest case describes it. (Sorted bytewise: the numbers are ASCII, and a bytewise sort of a
-- million keys is several times faster than one by the database's collation.)
INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date, min_term_end,
                           etf_minor, balance_minor, currency, bound_services)
SELECT DISTINCT ON (msisdn COLLATE "C") msisdn, account_number, line_type, activation_date, min_term_end,
       etf_minor, balance_minor, currency, bound_services
FROM cases
WHERE id > $1 AND activation_date IS NOT NULL
ORDER BY msisdn COLLATE "C", id DESC
ON CONFLICT (msisdn) DO NOTHING;
