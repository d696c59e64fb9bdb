//! `NegotiateFlags` (MS-NLMP 2.2.2.5): 32 bits, each with its MS-NLMP name.

/// One bit of `NegotiateFlags`: (value, MS-NLMP letter, name, what it means).
pub struct Flag {
    pub bit: u32,
    pub letter: &'static str,
    pub name: &'static str,
    pub meaning: &'static str,
}

/// All 32 bits, from the lowest. Reserved bits are named `r1`..`r10` as in MS-NLMP.
pub const FLAGS: [Flag; 32] = [
    Flag {
        bit: 0x0000_0001,
        letter: "A",
        name: "NTLMSSP_NEGOTIATE_UNICODE",
        meaning: "strings are UTF-16LE",
    },
    Flag {
        bit: 0x0000_0002,
        letter: "B",
        name: "NTLM_NEGOTIATE_OEM",
        meaning: "strings are in the OEM code page",
    },
    Flag {
        bit: 0x0000_0004,
        letter: "C",
        name: "NTLMSSP_REQUEST_TARGET",
        meaning: "the server must return its target name",
    },
    Flag {
        bit: 0x0000_0008,
        letter: "r10",
        name: "r10",
        meaning: "reserved",
    },
    Flag {
        bit: 0x0000_0010,
        letter: "D",
        name: "NTLMSSP_NEGOTIATE_SIGN",
        meaning: "message integrity (signing)",
    },
    Flag {
        bit: 0x0000_0020,
        letter: "E",
        name: "NTLMSSP_NEGOTIATE_SEAL",
        meaning: "message confidentiality (sealing)",
    },
    Flag {
        bit: 0x0000_0040,
        letter: "F",
        name: "NTLMSSP_NEGOTIATE_DATAGRAM",
        meaning: "connectionless authentication",
    },
    Flag {
        bit: 0x0000_0080,
        letter: "G",
        name: "NTLMSSP_NEGOTIATE_LM_KEY",
        meaning: "LAN Manager session key (weak)",
    },
    Flag {
        bit: 0x0000_0100,
        letter: "r9",
        name: "r9",
        meaning: "reserved (historically Netware)",
    },
    Flag {
        bit: 0x0000_0200,
        letter: "H",
        name: "NTLMSSP_NEGOTIATE_NTLM",
        meaning: "NTLM v1 session security",
    },
    Flag {
        bit: 0x0000_0400,
        letter: "r8",
        name: "r8",
        meaning: "reserved",
    },
    Flag {
        bit: 0x0000_0800,
        letter: "J",
        name: "NTLMSSP_ANONYMOUS",
        meaning: "an anonymous connection",
    },
    Flag {
        bit: 0x0000_1000,
        letter: "K",
        name: "NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED",
        meaning: "the NEGOTIATE carries a domain name",
    },
    Flag {
        bit: 0x0000_2000,
        letter: "L",
        name: "NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED",
        meaning: "the NEGOTIATE carries a workstation name",
    },
    Flag {
        bit: 0x0000_4000,
        letter: "r7",
        name: "r7",
        meaning: "reserved (historically local call)",
    },
    Flag {
        bit: 0x0000_8000,
        letter: "M",
        name: "NTLMSSP_NEGOTIATE_ALWAYS_SIGN",
        meaning: "sign with a dummy signature even without SIGN",
    },
    Flag {
        bit: 0x0001_0000,
        letter: "N",
        name: "NTLMSSP_TARGET_TYPE_DOMAIN",
        meaning: "the target name is a domain",
    },
    Flag {
        bit: 0x0002_0000,
        letter: "O",
        name: "NTLMSSP_TARGET_TYPE_SERVER",
        meaning: "the target name is a server",
    },
    Flag {
        bit: 0x0004_0000,
        letter: "r6",
        name: "r6",
        meaning: "reserved (historically target type share)",
    },
    Flag {
        bit: 0x0008_0000,
        letter: "P",
        name: "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY",
        meaning: "NTLM2 session security (extended session security)",
    },
    Flag {
        bit: 0x0010_0000,
        letter: "Q",
        name: "NTLMSSP_NEGOTIATE_IDENTIFY",
        meaning: "an identify-level token",
    },
    Flag {
        bit: 0x0020_0000,
        letter: "r5",
        name: "r5",
        meaning: "reserved",
    },
    Flag {
        bit: 0x0040_0000,
        letter: "R",
        name: "NTLMSSP_REQUEST_NON_NT_SESSION_KEY",
        meaning: "LMOWF-based session key",
    },
    Flag {
        bit: 0x0080_0000,
        letter: "S",
        name: "NTLMSSP_NEGOTIATE_TARGET_INFO",
        meaning: "the CHALLENGE carries TargetInfo",
    },
    Flag {
        bit: 0x0100_0000,
        letter: "r4",
        name: "r4",
        meaning: "reserved",
    },
    Flag {
        bit: 0x0200_0000,
        letter: "T",
        name: "NTLMSSP_NEGOTIATE_VERSION",
        meaning: "the Version field is present",
    },
    Flag {
        bit: 0x0400_0000,
        letter: "r3",
        name: "r3",
        meaning: "reserved",
    },
    Flag {
        bit: 0x0800_0000,
        letter: "r2",
        name: "r2",
        meaning: "reserved",
    },
    Flag {
        bit: 0x1000_0000,
        letter: "r1",
        name: "r1",
        meaning: "reserved",
    },
    Flag {
        bit: 0x2000_0000,
        letter: "U",
        name: "NTLMSSP_NEGOTIATE_128",
        meaning: "128-bit session key",
    },
    Flag {
        bit: 0x4000_0000,
        letter: "V",
        name: "NTLMSSP_NEGOTIATE_KEY_EXCH",
        meaning: "an encrypted random session key is exchanged",
    },
    Flag {
        bit: 0x8000_0000,
        letter: "W",
        name: "NTLMSSP_NEGOTIATE_56",
        meaning: "56-bit session key",
    },
];

pub const UNICODE: u32 = 0x0000_0001;
pub const OEM: u32 = 0x0000_0002;
pub const REQUEST_TARGET: u32 = 0x0000_0004;
pub const SIGN: u32 = 0x0000_0010;
pub const SEAL: u32 = 0x0000_0020;
pub const LM_KEY: u32 = 0x0000_0080;
pub const NTLM: u32 = 0x0000_0200;
pub const ANONYMOUS: u32 = 0x0000_0800;
pub const OEM_DOMAIN_SUPPLIED: u32 = 0x0000_1000;
pub const OEM_WORKSTATION_SUPPLIED: u32 = 0x0000_2000;
pub const ALWAYS_SIGN: u32 = 0x0000_8000;
pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
pub const REQUEST_NON_NT_SESSION_KEY: u32 = 0x0040_0000;
pub const TARGET_INFO: u32 = 0x0080_0000;
pub const VERSION: u32 = 0x0200_0000;
pub const NEGOTIATE_128: u32 = 0x2000_0000;
pub const KEY_EXCH: u32 = 0x4000_0000;
pub const NEGOTIATE_56: u32 = 0x8000_0000;

/// The MS-NLMP names of the bits set in `flags`, lowest bit first.
pub fn names(flags: u32) -> Vec<&'static str> {
    FLAGS
        .iter()
        .filter(|f| flags & f.bit != 0)
        .map(|f| f.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_is_named_once() {
        let mut all = 0u32;
        for (i, f) in FLAGS.iter().enumerate() {
            assert_eq!(f.bit, 1 << i);
            all |= f.bit;
        }
        assert_eq!(all, u32::MAX);
    }

    #[test]
    fn names_of_ms_nlmp_4_2_4_flags() {
        assert_eq!(
            names(0xe28a_8233),
            vec![
                "NTLMSSP_NEGOTIATE_UNICODE",
                "NTLM_NEGOTIATE_OEM",
                "NTLMSSP_NEGOTIATE_SIGN",
                "NTLMSSP_NEGOTIATE_SEAL",
                "NTLMSSP_NEGOTIATE_NTLM",
                "NTLMSSP_NEGOTIATE_ALWAYS_SIGN",
                "NTLMSSP_TARGET_TYPE_SERVER",
                "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY",
                "NTLMSSP_NEGOTIATE_TARGET_INFO",
                "NTLMSSP_NEGOTIATE_VERSION",
                "NTLMSSP_NEGOTIATE_128",
                "NTLMSSP_NEGOTIATE_KEY_EXCH",
                "NTLMSSP_NEGOTIATE_56",
            ]
        );
    }
}
