pub mod browser_view;
pub mod diagram;
pub mod icons;
pub mod layer_view;
pub mod password_check;
pub mod player;
pub mod source_view;
pub mod step_detail;
