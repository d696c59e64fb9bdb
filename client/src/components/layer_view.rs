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

/// The bytes as a hex dump, sixteen a row with offsets (as `xxd -g1` prints them, without the text).
fn hex_block(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(r, row)| {
            let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
            format!("{:08x}: {}", r * 16, hex.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `span` is one of `fields`' spans, at any depth.
fn any_span(fields: &[Field], span: Span) -> bool {
    fields
        .iter()
        .any(|f| f.span == span || any_span(&f.children, span))
}

/// The tree's keys: ↓/↑ the next and previous field, → the first child, ← the parent, Home/End
/// the first and last; Enter or Space selects (puts the field in the link), as a click does.
/// Moving focus selects the field (its bytes light up).
fn on_tree_key(e: &KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let Some(item) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[role=treeitem]").ok().flatten())
    else {
        return;
    };
    let Some(tree) = item.closest("[role=tree]").ok().flatten() else {
        return;
    };
    let Ok(all) = tree.query_selector_all("[role=treeitem]") else {
        return;
    };
    let items: Vec<web_sys::Element> = (0..all.length())
        .filter_map(|i| all.get(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .collect();
    let Some(at) = items.iter().position(|x| x == &item) else {
        return;
    };
    let level = |el: &web_sys::Element| {
        el.get_attribute("aria-level")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(1)
    };
    let target = match e.key().as_str() {
        "ArrowDown" => items.get(at + 1),
        "ArrowUp" => at.checked_sub(1).and_then(|i| items.get(i)),
        "Home" => items.first(),
        "End" => items.last(),
        "ArrowRight" => items.get(at + 1).filter(|n| level(n) > level(&item)),
        "ArrowLeft" => items
            .get(..at)
            .and_then(|before| before.iter().rev().find(|n| level(n) < level(&item))),
        "Enter" | " " => {
            e.prevent_default();
            if let Ok(el) = item.clone().dyn_into::<web_sys::HtmlElement>() {
                el.click();
            }
            return;
        }
        _ => return,
    };
    e.prevent_default();
    if let Some(el) = target.and_then(|t| t.clone().dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[function_component(LayerView)]
pub fn layer_view(p: &Props) -> Html {
    let selected = use_state(|| linked(p.link.as_ref()));
    let layer = &p.layer;
    let tree_keys = Callback::from(|e: KeyboardEvent| on_tree_key(&e));
    let leaf_spans: Vec<Span> = leaves(&layer.fields).iter().map(|f| f.span).collect();

    // One Tab stop for the whole tree (the selected field, else the first): the arrows move
    // inside it (WAI-ARIA tree pattern).
    let roving = (*selected)
        .filter(|sel| any_span(&layer.fields, *sel))
        .or_else(|| layer.fields.first().map(|f| f.span));

    fn tree(
        fields: &[Field],
        selected: &UseStateHandle<Option<Span>>,
        key: &Option<AttrValue>,
        level: usize,
        roving: Option<Span>,
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
                let parent = !f.children.is_empty() && !is_bits(f);
                html! {
                    <li class={classes!("field", is_sel.then_some("sel"))} data-field={f.name} role="none">
                        <div class="field-row" role="treeitem" aria-level={level.to_string()}
                             aria-selected={if is_sel { "true" } else { "false" }}
                             aria-expanded={parent.then_some("true")}
                             tabindex={if roving == Some(span) { "0" } else { "-1" }}
                             onmouseenter={on} onclick={click} onfocus={focus}>
                            <span class="fname">{ f.name }</span>
                            <span class="fval">{ value_text(&f.value) }</span>
                            <span class="fspan">{ format!("bytes {}–{}", span.start(), span.end()) }</span>
                            { f.spec.map(|s| html! { <span class="fspec">{ s }</span> }).unwrap_or_default() }
                            { f.note.map(|n| html! { <span class="fnote">{ n }</span> }).unwrap_or_default() }
                            // A flags field's bits, as a table inside its item.
                            { if is_bits(f) { bits(f, selected) } else { Html::default() } }
                        </div>
                        { if parent { html! { <ul role="group">{ tree(&f.children, selected, key, level + 1, roving) }</ul> } } else { Html::default() } }
                    </li>
                }
            })
            .collect()
    }

    let byte = |i: usize, b: u8| {
        let leaf = leaf_spans.iter().position(|s| s.contains(i));
        let in_sel = selected.is_some_and(|s| s.contains(i));
        let onclick = {
            let s = selected.clone();
            let layer = layer.clone();
            let key = p.link.clone();
            Callback::from(move |_: MouseEvent| {
                let hit = layer
                    .fields
                    .iter()
                    .find_map(|f| f.innermost_at(i))
                    .map(|f| f.span);
                s.set(hit);
                keep(key.as_ref(), hit);
            })
        };
        let ch = if b.is_ascii_graphic() || b == b' ' {
            char::from(b)
        } else {
            '·'
        };
        html! {
            <span class={classes!("byte", leaf.map(|l| format!("ch{}", l % 6)), in_sel.then_some("sel"))}
                  title={format!("byte {i}: 0x{b:02x}")} {onclick}>
                <span class="hex">{ format!("{b:02x}") }</span><span class="chr">{ ch.to_string() }</span>
            </span>
        }
    };
    // Sixteen bytes a row, each row with its offset (as hexdump -C and Wireshark show them).
    let shown = layer
        .bytes
        .get(..layer.bytes.len().min(1024))
        .unwrap_or_default();
    let bytes: Html = shown
        .chunks(16)
        .enumerate()
        .map(|(r, row)| {
            html! {
                <div class="hexrow">
                    <span class="off" aria-hidden="true">{ format!("{:04x}", r * 16) }</span>
                    { for row.iter().enumerate().map(|(j, b)| byte(r * 16 + j, *b)) }
                </div>
            }
        })
        .collect();
    html! {
        <div class="layer" data-test="layer">
            <h5>{ layer.label } <span class="muted">{ format!(" — {} bytes", layer.bytes.len()) }</span>
                { if p.bytes { html! { <crate::components::copy::CopyButton text={AttrValue::from(hex_block(&layer.bytes))} what={AttrValue::from(format!("the bytes of {} as hex", layer.label))} /> } } else { Html::default() } }</h5>
            <div class={classes!("layer-body", p.bytes.then_some("with-bytes"))}>
                <ul class="fields" role="tree" aria-label={format!("Fields of {}", layer.label)} onkeydown={tree_keys}>{ tree(&layer.fields, &selected, &p.link, 1, roving) }</ul>
                { if p.bytes { html! { <div class="bytes" role="group" tabindex="0" aria-label="Bytes of this layer, sixteen a row; click one to select its field">{ bytes }</div> } } else { Html::default() } }
            </div>
        </div>
    }
}
