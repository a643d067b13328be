-- Currencies are one of the codes the desk can show (`domain::money::Currency`); the app decodes
-- them as that type and fails loudly on anything else, so the database refuses it first.
ALTER TABLE cases ADD CONSTRAINT cases_currency_check CHECK (currency IN ('IDR', 'USD', 'EUR'));
ALTER TABLE billing_lines ADD CONSTRAINT billing_lines_currency_check
    CHECK (currency IN ('IDR', 'USD', 'EUR'));
ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_currency_check
    CHECK (currency IN ('IDR', 'USD', 'EUR'));
