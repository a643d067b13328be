//! Money as integer minor units with an ISO 4217 currency: never floats.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// The currencies the desk knows how to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currency {
    Idr,
    Usd,
    Eur,
}

impl Currency {
    pub fn parse(code: &str) -> Option<Currency> {
        match code {
            "IDR" => Some(Currency::Idr),
            "USD" => Some(Currency::Usd),
            "EUR" => Some(Currency::Eur),
            _ => None,
        }
    }

    /// As stored in the database (the ISO code).
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Idr => "IDR",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
        }
    }

    /// Digits after the decimal point (ISO 4217).
    pub fn exponent(self) -> u32 {
        2
    }

    /// The sign in front of an amount. `US$`, not `$`: in this region `$` alone could be
    /// Singapore's or Australia's.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Idr => "Rp",
            Currency::Usd => "US$",
            Currency::Eur => "€",
        }
    }
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }
}

impl fmt::Display for Money {
    /// `Rp 150,000` or `US$ 12.50`: whole amounts without trailing zeros, thousands grouped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10i64.pow(self.currency.exponent());
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = abs / scale as u64;
        let fraction = abs % scale as u64;
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}{} {grouped}", self.currency.symbol())?;
        if fraction != 0 {
            write!(
                f,
                ".{:0width$}",
                fraction,
                width = self.currency.exponent() as usize
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_and_trimmed() {
        assert_eq!(
            Money::new(15_000_000, Currency::Idr).to_string(),
            "Rp 150,000"
        );
        assert_eq!(Money::new(1_250, Currency::Usd).to_string(), "US$ 12.50");
        assert_eq!(Money::new(0, Currency::Idr).to_string(), "Rp 0");
        assert_eq!(Money::new(-99_900, Currency::Idr).to_string(), "-Rp 999");
        assert_eq!(
            Money::new(12_345_678_901, Currency::Eur).to_string(),
            "€ 123,456,789.01"
        );
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in [Currency::Idr, Currency::Usd, Currency::Eur] {
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        assert_eq!(Currency::parse("XXX"), None);
    }
}
