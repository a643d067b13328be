//! Dates and numbers as each language writes them, by ICU4X with its compiled CLDR data:
//! `3 Desember 2026` / `3 December 2026` / `2026年12月3日`; `500.000` / `500,000`. No hand-written
//! month names or grouping rules.

use std::cell::OnceCell;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{MD, YMD, YMDT};
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::options::TimePrecision;
use icu_decimal::DecimalFormatter;

use super::Locale;
use crate::domain::money::{Currency, Money};

/// The CLDR locale whose formats a language uses: British English (day before month, as the
/// desk writes dates), Indonesian, Simplified Chinese.
fn icu_locale(locale: Locale) -> icu_locale_core::Locale {
    match locale {
        Locale::Id => "id",
        Locale::En => "en-GB",
        Locale::ZhCn => "zh-CN",
        Locale::Pseudo => "en-GB",
    }
    .parse()
    .expect("a valid CLDR locale")
}

struct Formats {
    date: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, YMD>,
    date_time: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, YMDT>,
    short_date: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, YMD>,
    day_month: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, MD>,
    short_date_time: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, YMDT>,
    number: DecimalFormatter,
}

thread_local! {
    // ICU4X formatters are built once per worker thread (they are not `Sync`).
    static FORMATS: OnceCell<Vec<Formats>> = const { OnceCell::new() };
}

fn with_formats<T>(locale: Locale, f: impl FnOnce(&Formats) -> T) -> T {
    FORMATS.with(|cell| {
        let all = cell.get_or_init(build);
        let index = Locale::ALL
            .iter()
            .position(|l| *l == locale.base())
            .expect("known");
        f(&all[index])
    })
}

fn build() -> Vec<Formats> {
    {
        Locale::ALL
            .iter()
            .map(|l| {
                let icu = icu_locale(*l);
                // The month in full, as a letter to a customer writes it.
                let (date, date_time) = (
                    YMD::long(),
                    YMDT::long().with_time_precision(TimePrecision::Minute),
                );
                Formats {
                    date: FixedCalendarDateTimeFormatter::try_new((&icu).into(), date)
                        .expect("compiled date formats"),
                    date_time: FixedCalendarDateTimeFormatter::try_new((&icu).into(), date_time)
                        .expect("compiled date-time formats"),
                    // The desk's tables: the month abbreviated (`3 Des 2026, 14.05`).
                    short_date: FixedCalendarDateTimeFormatter::try_new(
                        (&icu).into(),
                        YMD::medium(),
                    )
                    .expect("compiled date formats"),
                    day_month: FixedCalendarDateTimeFormatter::try_new((&icu).into(), MD::medium())
                        .expect("compiled date formats"),
                    short_date_time: FixedCalendarDateTimeFormatter::try_new(
                        (&icu).into(),
                        YMDT::medium().with_time_precision(TimePrecision::Minute),
                    )
                    .expect("compiled date-time formats"),
                    number: DecimalFormatter::try_new((&icu).into(), Default::default())
                        .expect("compiled number formats"),
                }
            })
            .collect()
    }
}

fn icu_date(day: NaiveDate) -> Date<icu_calendar::Gregorian> {
    Date::try_new_gregorian(day.year(), day.month() as u8, day.day() as u8)
        .expect("a chrono date is a valid Gregorian date")
}

pub fn date(locale: Locale, day: NaiveDate) -> String {
    with_formats(locale, |f| f.date.format(&icu_date(day)).to_string())
}

fn icu_date_time(at: NaiveDateTime) -> DateTime<icu_calendar::Gregorian> {
    let time = Time::try_new(at.hour() as u8, at.minute() as u8, 0, 0).expect("a valid time");
    DateTime {
        date: icu_date(at.date()),
        time,
    }
}

/// A local date and time, to the minute.
pub fn date_time(locale: Locale, at: NaiveDateTime) -> String {
    with_formats(locale, |f| {
        f.date_time.format(&icu_date_time(at)).to_string()
    })
}

/// Day and month, the month abbreviated.
pub fn day_month(locale: Locale, day: NaiveDate) -> String {
    with_formats(locale, |f| f.day_month.format(&icu_date(day)).to_string())
}

/// A date with the month abbreviated, as the desk's tables show it.
pub fn short_date(locale: Locale, day: NaiveDate) -> String {
    with_formats(locale, |f| f.short_date.format(&icu_date(day)).to_string())
}

/// A local date and time to the minute, the month abbreviated.
pub fn short_date_time(locale: Locale, at: NaiveDateTime) -> String {
    with_formats(locale, |f| {
        f.short_date_time.format(&icu_date_time(at)).to_string()
    })
}

pub fn number(locale: Locale, value: i64) -> String {
    with_formats(locale, |f| {
        f.number
            .format(&fixed_decimal::Decimal::from(value))
            .to_string()
    })
}

/// An amount as the language writes money: `Rp 500.000` (id), `Rp 500,000` (en, zh-CN);
/// `US$ 12.50`. Rupiah never shows minor digits (they are not used in practice); other
/// currencies show theirs only when the amount is not whole. Grouping and separators are CLDR's.
pub fn money(locale: Locale, money: Money) -> String {
    let mut amount = fixed_decimal::Decimal::from(money.minor.unsigned_abs());
    let exponent = money.currency.exponent() as i16;
    amount.multiply_pow10(-exponent);
    if money.currency == Currency::Idr {
        // Half a rupiah up, as a bill rounds (ICU's plain `round` is half-even).
        amount
            .absolute
            .round_with_mode(0, fixed_decimal::UnsignedRoundingMode::HalfExpand);
    } else if money.minor % 10i64.pow(exponent as u32) == 0 {
        amount.trunc(0);
    } else {
        amount.pad_end(-exponent);
    }
    let digits = with_formats(locale, |f| f.number.format(&amount).to_string());
    let sign = if money.minor < 0 { "-" } else { "" };
    format!("{sign}{} {digits}", money.currency.symbol())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_dates_and_numbers_its_way() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(date(Locale::Id, day), "3 Desember 2026");
        assert_eq!(date(Locale::En, day), "3 December 2026");
        assert_eq!(date(Locale::ZhCn, day), "2026年12月3日");
        assert_eq!(number(Locale::Id, 500_000), "500.000");
        assert_eq!(number(Locale::En, 500_000), "500,000");
        let at = day.and_hms_opt(14, 5, 0).unwrap();
        let id = date_time(Locale::Id, at);
        assert!(
            id.contains("3 Desember 2026") && id.contains("14.05"),
            "{id}"
        );
        assert!(date_time(Locale::En, at).contains("14:05"));
        assert_eq!(short_date(Locale::Id, day), "3 Des 2026");
        assert_eq!(short_date(Locale::En, day), "3 Dec 2026");
        assert_eq!(short_date(Locale::ZhCn, day), "2026年12月3日");
        assert_eq!(short_date_time(Locale::Id, at), "3 Des 2026, 14.05");
        assert_eq!(short_date_time(Locale::En, at), "3 Dec 2026, 14:05");
        assert_eq!(short_date_time(Locale::ZhCn, at), "2026年12月3日 14:05");
        assert_eq!(day_month(Locale::Id, day), "3 Des");
        assert_eq!(day_month(Locale::En, day), "3 Dec");
        assert_eq!(day_month(Locale::ZhCn, day), "12月3日");
    }

    #[test]
    fn money_is_grouped_the_languages_way_and_rupiah_has_no_minor_digits() {
        let rp = |minor| Money::new(minor, Currency::Idr);
        assert_eq!(money(Locale::Id, rp(50_000_000)), "Rp 500.000");
        assert_eq!(money(Locale::En, rp(50_000_000)), "Rp 500,000");
        assert_eq!(money(Locale::ZhCn, rp(50_000_000)), "Rp 500,000");
        assert_eq!(money(Locale::Id, rp(50_000_050)), "Rp 500.001");
        assert_eq!(money(Locale::Id, rp(0)), "Rp 0");
        assert_eq!(money(Locale::Id, rp(-99_900)), "-Rp 999");
        let usd = |minor| Money::new(minor, Currency::Usd);
        assert_eq!(money(Locale::En, usd(1_250)), "US$ 12.50");
        assert_eq!(money(Locale::Id, usd(1_234_500)), "US$ 12.345");
        assert_eq!(money(Locale::Id, usd(1_234_505)), "US$ 12.345,05");
    }
}
