fn main() {
    yew::Renderer::<authscope_client::App>::new().render();
}
