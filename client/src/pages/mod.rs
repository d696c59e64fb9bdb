pub mod about;
pub mod basic_walk;
pub mod headers_lab;
