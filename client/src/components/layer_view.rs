//! One decoded layer: its field tree and its bytes, linked both ways. Hovering a field outlines
//! its bytes; clicking a byte selects the innermost field that holds it.

use proto::field::{Field, Layer, Value};
use proto::Span;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub layer: Rc<Layer>,
    /// Show the byte grid (text layers read better without it).
    #[prop_or(true)]
    pub bytes: bool,
    /// Keep the selected field in the link (`field=<link>:<start>-<end>`), under this key.
    #[prop_or_default]
    pub link: Option<AttrValue>,
}

/// The field selected in the link for the layer linked as `key`.
fn linked(key: Option<&AttrValue>) -> Option<Span> {
    let v = crate::link::param("field")?;
    let (k, span) = v.rsplit_once(':')?;
    let (a, b) = span.split_once('-')?;
    (Some(k) == key.map(|k| k.as_str())).then_some(Span::new(a.parse().ok()?, b.parse().ok()?))
}

/// Puts a clicked field in the link.
fn keep(key: Option<&AttrValue>, span: Option<Span>) {
    if let (Some(k), Some(s)) = (key, span) {
        let mut l = crate::link::current();
        l.set("field", &format!("{k}:{}-{}", s.start(), s.end()));
        crate::link::replace(&l);
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::U32(n) => format!("{n} (0x{n:08x})"),
        other => other.display(),
    }
}

/// The leaf fields in order, for colouring bytes.
fn leaves(fields: &[Field]) -> Vec<&Field> {
    let mut out = Vec::new();
    for f in fields {
        if f.children.is_empty() {
            out.push(f);
        } else {
            out.extend(leaves(&f.children));
        }
    }
    out
}

/// A field whose children are all on/off bits (NegotiateFlags): shown as a bit table.
fn is_bits(f: &Field) -> bool {
    f.children.len() >= 8 && f.children.iter().all(|c| matches!(c.value, Value::Bool(_)))
}

fn bits(f: &Field, selected: &UseStateHandle<Option<Span>>) -> Html {
    let rows: Html = f
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let on = c.value == Value::Bool(true);
            let span = c.span;
            let s = selected.clone();
            let enter = Callback::from(move |_: MouseEvent| s.set(Some(span)));
            html! {
                <tr class={if on { "on" } else { "off" }} onmouseenter={enter} title={c.note.unwrap_or("")} data-field={c.name}>
                    <td>{ format!("0x{:08x}", 1u64 << i) }</td><td>{ c.name }</td><td>{ if on { "set" } else { "—" } }</td>
                </tr>
            }
        })
        .collect();
    html! { <table class="bits" aria-label={format!("{} bits", f.name)}><tbody>{ rows }</tbody></table> }
}

#[function_component(LayerView)]
pub fn layer_view(p: &Props) -> Html {
    let selected = use_state(|| linked(p.link.as_ref()));
    let layer = &p.layer;
    let leaf_spans: Vec<Span> = leaves(&layer.fields).iter().map(|f| f.span).collect();

    fn tree(
        fields: &[Field],
        selected: &UseStateHandle<Option<Span>>,
        key: &Option<AttrValue>,
    ) -> Html {
        fields
            .iter()
            .map(|f| {
                let span = f.span;
                let on = {
                    let s = selected.clone();
                    Callback::from(move |_: MouseEvent| s.set(Some(span)))
                };
                let focus = {
                    let s = selected.clone();
                    Callback::from(move |_: FocusEvent| s.set(Some(span)))
                };
                let click = {
                    let (s, key) = (selected.clone(), key.clone());
                    Callback::from(move |_: MouseEvent| {
                        s.set(Some(span));
                        keep(key.as_ref(), Some(span));
                    })
                };
                let is_sel = **selected == Some(span);
                html! {
                    <li class={classes!("field", is_sel.then_some("sel"))} data-field={f.name}>
                        <div class="field-row" tabindex="0" onmouseenter={on} onclick={click} onfocus={focus}>
                            <span class="fname">{ f.name }</span>
                            <span class="fval">{ value_text(&f.value) }</span>
                            <span class="fspan">{ format!("bytes {}–{}", span.start(), span.end()) }</span>
                            { f.spec.map(|s| html! { <span class="fspec">{ s }</span> }).unwrap_or_default() }
                        </div>
                        { f.note.map(|n| html! { <div class="fnote">{ n }</div> }).unwrap_or_default() }
                        { if f.children.is_empty() { Html::default() } else if is_bits(f) { bits(f, selected) } else { html! { <ul>{ tree(&f.children, selected, key) }</ul> } } }
                    </li>
                }
            })
            .collect()
    }

    let bytes: Html = layer
        .bytes
        .iter()
        .take(1024)
        .enumerate()
        .map(|(i, b)| {
            let leaf = leaf_spans.iter().position(|s| s.contains(i));
            let in_sel = selected.is_some_and(|s| s.contains(i));
            let onclick = {
                let s = selected.clone();
                let layer = layer.clone();
                let key = p.link.clone();
                Callback::from(move |_: MouseEvent| {
                    let hit = layer.fields.iter().find_map(|f| f.innermost_at(i)).map(|f| f.span);
                    s.set(hit);
                    keep(key.as_ref(), hit);
                })
            };
            let ch = if b.is_ascii_graphic() || *b == b' ' { char::from(*b) } else { '·' };
            html! {
                <span class={classes!("byte", leaf.map(|l| format!("ch{}", l % 6)), in_sel.then_some("sel"))}
                      title={format!("byte {i}: 0x{b:02x}")} {onclick}>
                    <span class="hex">{ format!("{b:02x}") }</span><span class="chr">{ ch.to_string() }</span>
                </span>
            }
        })
        .collect();
    html! {
        <div class="layer" data-test="layer">
            <h5>{ layer.label } <span class="muted">{ format!(" — {} bytes", layer.bytes.len()) }</span></h5>
            <div class={classes!("layer-body", p.bytes.then_some("with-bytes"))}>
                <ul class="fields">{ tree(&layer.fields, &selected, &p.link) }</ul>
                { if p.bytes { html! { <div class="bytes" aria-label="Bytes of this layer; click one to select its field">{ bytes }</div> } } else { Html::default() } }
            </div>
        </div>
    }
}
