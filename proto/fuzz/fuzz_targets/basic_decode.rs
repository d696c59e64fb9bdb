#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| proto::fuzz_entries::basic_decode(data));
