#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lotse::fuzz::front_matter(data));
