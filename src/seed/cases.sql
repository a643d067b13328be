-- Demo cases, generated set-based. $1 = how many, $2 = agent ids, $3 = SLA hours,
-- $4 = highest case id before this run (references are derived from it, so runs never collide),
-- $5 = days over which decided cases arrived.
WITH g AS (
    SELECT i,
           -- A bijection of i onto 29^8 codes: unique references that do not look sequential.
           (((($4::bigint + i) * 312459233513 + 48271) % 500246412961)) AS code,
           (i * 37) % 100 AS bucket,
           -- Open cases arrived within the last four days (some overdue), decided ones within $5.
           now() - make_interval(mins => ((i::bigint * 7919)
               % (CASE WHEN (i * 37) % 100 < 62 THEN 4 ELSE $5::int END * 24 * 60))::int) AS received
    FROM generate_series(1, $1::int) AS i
), s AS (
    SELECT g.*,
           CASE WHEN bucket < 30 THEN 'submitted' WHEN bucket < 50 THEN 'in_review'
                WHEN bucket < 62 THEN 'awaiting_documents' WHEN bucket < 74 THEN 'approved'
                WHEN bucket < 84 THEN 'rejected' WHEN bucket < 90 THEN 'cancelled'
                WHEN bucket < 95 THEN 'expired' ELSE 'withdrawn' END AS state,
           (ARRAY['Siti','Agus','Dewi','Budi','Rina','Andi','Putri','Eko','Wulan','Hendra','Nur','Rizky',
                  'Ayu','Fajar','Indah','Joko','Maya','Yusuf','Lestari','Bayu','Fitri','Dimas','Ratna','Arif'])
               [1 + (i * 13) % 24] AS first_name,
           (ARRAY['Rahayu','Saputra','Wijaya','Kusuma','Hidayat','Nugroho','Sari','Setiawan','Purnama',
                  'Halim','Siregar','Nasution','Simanjuntak','Utomo','Gunawan','Tanjung','Harahap','Lubis'])
               [1 + (i * 17) % 18] AS last_name,
           -- Every 25th application repeats the line of the one before: a duplicate request.
           CASE WHEN i % 25 = 0 AND i > 1 THEN i - 1 ELSE i END AS line_seed,
           -- The other application on the same line, if any (see line_seed).
           CASE WHEN i % 25 = 0 AND i > 1 THEN i - 1 WHEN (i + 1) % 25 = 0 AND i < $1 THEN i + 1 END
               AS partner,
           ((i::bigint * 7919) % 5000) * 10000 AS balance
    FROM g
), t AS (
    SELECT s.*,
           -- The stage of an approved or cancelled case's cancellation order (orders.sql reads it
           -- back from the columns it decides here: the end date, failed, the final balance).
           CASE WHEN state = 'cancelled' THEN 'done'
                WHEN state = 'approved' THEN (ARRAY['due', 'sent', 'acknowledged', 'failed', 'waiting', 'waiting'])[1 + (i / 7) % 6]
           END AS order_stage,
           -- A duplicate-line flag: the partner is open (the same rule as `bucket` above). Only
           -- this run's cases are known here; with earlier cases in the database the seed
           -- recomputes every flag after the load (mod.rs).
           partner IS NOT NULL AND (partner * 37) % 100 < 62 AS duplicate_line
    FROM s
)
INSERT INTO cases (
    reference, state, version, channel, customer_name, customer_nik, contact_email, contact_phone,
    preferred_contact, msisdn, account_number, line_type, activation_date, min_term_end, etf_minor,
    balance_minor, currency, bound_services, reason, reason_text, settlement, refund_bank,
    refund_account, transfer_msisdn, requested_effective_date, consent, submitted_at, sla_due_at,
    sla_paused_at, assignee_id, priority, documents_received, effective_date, decision_reason,
    documents_deadline, requested_kinds, locale, provisioning_failed, final_balance_minor,
    duplicate_line)
SELECT
    'CX-' || substr(a, (code % 29)::int + 1, 1) || substr(a, (code / 29 % 29)::int + 1, 1)
          || substr(a, (code / 841 % 29)::int + 1, 1) || substr(a, (code / 24389 % 29)::int + 1, 1)
          || '-' || substr(a, (code / 707281 % 29)::int + 1, 1) || substr(a, (code / 20511149 % 29)::int + 1, 1)
          || substr(a, (code / 594823321 % 29)::int + 1, 1) || substr(a, (code / 17249876309 % 29)::int + 1, 1),
    state,
    CASE state WHEN 'submitted' THEN CASE WHEN i % 5 = 0 THEN 4 ELSE 1 END
               WHEN 'in_review' THEN 2 WHEN 'awaiting_documents' THEN 3 WHEN 'approved' THEN 4
               WHEN 'cancelled' THEN 5 WHEN 'rejected' THEN 3 WHEN 'expired' THEN 4 ELSE 2 END,
    CASE WHEN i % 20 < 12 THEN 'web' WHEN i % 20 < 17 THEN 'hotline' ELSE 'service_point' END,
    first_name || ' ' || last_name,
    -- NIK: region, birth date (day + 40 for women), serial.
    (ARRAY['317401','327301','357801','517102','127101','337404'])[1 + i % 6]
        || lpad((1 + i % 28 + CASE WHEN i % 2 = 0 THEN 40 ELSE 0 END)::text, 2, '0')
        || lpad((1 + i % 12)::text, 2, '0') || lpad(((60 + i) % 40 + 60)::text, 2, '0')
        || lpad((1 + i % 9998)::text, 4, '0'),
    CASE WHEN i % 7 = 0 THEN NULL ELSE lower(first_name) || '.' || lower(last_name) || i || '@example.com' END,
    CASE WHEN i % 3 = 0 THEN '+62812' || lpad(((i::bigint * 48271) % 100000000)::text, 8, '0') END,
    CASE WHEN i % 7 = 0 THEN 'sms' ELSE 'email' END,
    '+62' || (ARRAY['831','832','833','838'])[1 + line_seed % 4] || lpad(((line_seed::bigint * 7654321) % 100000000)::text, 8, '0'),
    'ACC-' || lpad((($4 + line_seed) % 1000000000)::text, 9, '0'),
    CASE WHEN i % 3 = 0 THEN 'prepaid' ELSE 'postpaid' END,
    current_date - (30 + (i * 31) % 2000),
    CASE WHEN i % 3 = 0 THEN NULL
         WHEN i % 4 = 0 THEN current_date + (10 + i % 300)
         ELSE current_date - (1 + i % 400) END,
    CASE WHEN i % 3 = 0 THEN 0 ELSE (ARRAY[15000000, 25000000, 50000000])[1 + i % 3] END,
    balance,
    'IDR',
    CASE WHEN i % 6 = 1 THEN ARRAY['Handset instalment'] WHEN i % 6 = 2 THEN ARRAY['Streaming bundle', 'Roaming pack'] ELSE '{}' END,
    (ARRAY['switching_operator','no_longer_needed','moving_abroad','cost','service_quality','other'])[1 + i % 6],
    CASE i % 6 WHEN 5 THEN 'Second line from my late father, nobody uses it any more.'
               WHEN 4 THEN 'Signal drops every evening at home.'
               WHEN 3 THEN 'The monthly plan is too expensive for me now.' END,
    (ARRAY['refund','transfer','forfeit'])[1 + i % 3],
    CASE WHEN i % 3 = 0 THEN (ARRAY['BCA','Mandiri','BNI','BRI'])[1 + i % 4] END,
    CASE WHEN i % 3 = 0 THEN lpad(((i::bigint * 9301) % 10000000000)::text, 10, '0') END,
    CASE WHEN i % 3 = 1 THEN '+62838' || lpad(((i::bigint * 1103) % 100000000)::text, 8, '0') END,
    current_date + (i % 30),
    true,
    received,
    received + make_interval(hours => $3),
    CASE WHEN state = 'awaiting_documents' THEN received + interval '3 hours' END,
    CASE WHEN state = 'submitted' AND i % 5 <> 0 THEN NULL
         WHEN state = 'withdrawn' THEN NULL
         ELSE ($2::bigint[])[1 + i % cardinality($2::bigint[])] END,
    CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END,
    state = 'submitted' AND i % 5 = 0,
    CASE WHEN state IN ('approved', 'cancelled') THEN
         -- An order still waiting ends the line later; past that stage, on a day that has come.
         CASE WHEN order_stage = 'waiting' THEN current_date + (1 + i % 30)
              WHEN state = 'approved' THEN current_date - ((i / 7) % 3)::int
              -- A line ended within ten days of its application, or (recent ones) lately.
              WHEN received < now() - interval '11 days' THEN received::date + (1 + i % 10)
              ELSE current_date - (1 + i % 10) END END,
    CASE WHEN state = 'rejected' THEN (ARRAY['identity_not_verified','not_account_holder','outstanding_debt','duplicate_request','suspected_fraud'])[1 + i % 5] END,
    CASE WHEN state IN ('awaiting_documents', 'expired') THEN received + interval '14 days' END,
    CASE WHEN state IN ('awaiting_documents', 'expired') THEN ARRAY['identity_card'] ELSE '{}' END,
    -- Most customers apply in Bahasa Indonesia; some in English or Chinese.
    CASE WHEN i % 10 < 8 THEN 'id' WHEN i % 10 = 8 THEN 'en' ELSE 'zh-CN' END,
    order_stage IS NOT DISTINCT FROM 'failed',
    CASE WHEN order_stage = 'done' THEN balance END,
    duplicate_line
FROM t, (SELECT 'ABCDEFGHJKMNPQRSTWXYZ23456789'::text AS a) alphabet;
