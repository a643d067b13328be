-- The case page reads a case's refund by case: without this it scanned every refund (1.2 ms at
-- 200,000 cases, measured with scripts/perf_bench.py).
CREATE INDEX settlement_items_case_idx ON settlement_items (case_id, id);
