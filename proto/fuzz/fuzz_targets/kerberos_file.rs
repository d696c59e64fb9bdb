#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| proto::fuzz_entries::kerberos_file(data));
