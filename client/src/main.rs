fn main() {
    #[cfg(not(feature = "embed"))]
    yew::Renderer::<authscope_client::App>::new().render();
    #[cfg(feature = "embed")]
    yew::Renderer::<authscope_client::pages::embed::Embed>::new().render();
}
