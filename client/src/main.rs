fn main() {
    #[cfg(not(any(feature = "embed", feature = "embed-kerberos")))]
    yew::Renderer::<authscope_client::App>::new().render();
    #[cfg(any(feature = "embed", feature = "embed-kerberos"))]
    yew::Renderer::<authscope_client::pages::embed::EmbedHost>::new().render();
}
