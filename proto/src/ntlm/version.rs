//! The `VERSION` structure (MS-NLMP 2.2.2.10) and the Windows release it names.
//!
//! ```text
//! 0 ProductMajorVersion (1) | 1 ProductMinorVersion (1) | 2 ProductBuild (2, LE)
//! 4 Reserved (3)            | 7 NTLMRevisionCurrent (1): 0x0F = NTLMSSP_REVISION_W2K3
//! ```

/// The Windows release for a major.minor.build, as precise as the numbers allow.
pub(super) fn windows_name(major: u8, minor: u8, build: u16) -> String {
    let name = match (major, minor) {
        (5, 0) => "Windows 2000",
        (5, 1) => "Windows XP",
        (5, 2) => "Windows Server 2003 or XP x64",
        (6, 0) => "Windows Vista or Server 2008",
        (6, 1) => "Windows 7 or Server 2008 R2",
        (6, 2) => "Windows 8 or Server 2012",
        (6, 3) => "Windows 8.1 or Server 2012 R2",
        (10, 0) => match build {
            10240 => "Windows 10 1507",
            10586 => "Windows 10 1511",
            14393 => "Windows 10 1607 or Server 2016",
            15063 => "Windows 10 1703",
            16299 => "Windows 10 1709",
            17134 => "Windows 10 1803",
            17763 => "Windows 10 1809 or Server 2019",
            18362 | 18363 => "Windows 10 1903/1909",
            19041..=19045 => "Windows 10 2004 to 22H2",
            20348 => "Windows Server 2022",
            22000 => "Windows 11 21H2",
            22621 => "Windows 11 22H2",
            22631 => "Windows 11 23H2",
            26100 => "Windows 11 24H2 or Server 2025",
            b if b >= 22000 => "Windows 11 or later",
            _ => "Windows 10 / Server 2016 or later",
        },
        _ => return format!("unknown release {major}.{minor} (build {build})"),
    };
    format!("{name} (build {build})")
}

/// `NTLMRevisionCurrent` by name.
pub(super) fn revision_name(rev: u8) -> &'static str {
    match rev {
        0x0F => "NTLMSSP_REVISION_W2K3",
        0x0A => "NTLMSSP_REVISION_W2K3_RC1",
        _ => "unknown revision",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            windows_name(6, 0, 6000),
            "Windows Vista or Server 2008 (build 6000)"
        );
        assert_eq!(
            windows_name(10, 0, 17763),
            "Windows 10 1809 or Server 2019 (build 17763)"
        );
        assert_eq!(windows_name(5, 1, 2600), "Windows XP (build 2600)");
        assert_eq!(windows_name(9, 9, 1), "unknown release 9.9 (build 1)");
    }
}
