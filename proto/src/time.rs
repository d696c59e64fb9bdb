//! Calendar arithmetic for the dates IIS writes (HTTP `Date`, W3C log). Time is always an
//! argument: seconds since the Unix epoch, UTC.

/// `(year, month 1-12, day 1-31)` of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Days since 1970-01-01 of a civil date (the inverse of `civil_from_days`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    weekday: usize,
}

fn parts(unix: i64) -> Parts {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0);
    Parts {
        y,
        mo,
        d,
        h: secs / 3600,
        mi: secs % 3600 / 60,
        s: secs % 60,
        weekday,
    }
}

/// RFC 9110 §5.6.7 IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p = parts(unix);
    let month = MONTHS
        .get(p.mo.saturating_sub(1) as usize)
        .unwrap_or(&"Jan");
    let day = DAYS.get(p.weekday).unwrap_or(&"Sun");
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        p.d, p.y, p.h, p.mi, p.s
    )
}

/// The W3C extended log's `date time` fields: `2026-11-27 06:40:33`.
pub fn w3c_date_time(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// KerberosTime (RFC 4120 §5.2.3): `20261127083552Z`.
pub fn generalized(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// ISO 8601 UTC to the second: `2026-11-27T08:35:52Z`.
pub fn iso8601(unix: i64) -> String {
    let p = parts(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// ISO 8601 UTC with 100 ns precision, from a Windows FILETIME (100 ns intervals since
/// 1601-01-01), as MS-NLMP's `MsvAvTimestamp` and the NTLMv2 blob carry it.
pub fn filetime_iso8601(filetime: u64) -> String {
    const EPOCH_DIFF_SECS: i64 = 11_644_473_600;
    let secs = i64::try_from(filetime / 10_000_000).unwrap_or(i64::MAX) - EPOCH_DIFF_SECS;
    let frac = filetime % 10_000_000;
    let p = parts(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{frac:07}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9110_example_date() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn filetime_zero_is_1601_and_unix_epoch_maps() {
        assert_eq!(filetime_iso8601(0), "1601-01-01T00:00:00.0000000Z");
        assert_eq!(
            filetime_iso8601(116_444_736_000_000_001),
            "1970-01-01T00:00:00.0000001Z"
        );
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for days in [-800_000i64, -1, 0, 1, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
        assert_eq!(generalized(0), "19700101000000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn epoch_and_leap_day() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(w3c_date_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(w3c_date_time(-1), "1969-12-31 23:59:59");
    }
}
