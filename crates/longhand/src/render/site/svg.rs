//! SVG attachments, rewritten so that opening one can never run anything (spec section 8.4).
//!
//! An SVG is a document: opened on its own, a browser runs its scripts, event handlers and
//! `javascript:` links, in any namespace it understands. Looking for dangerous text cannot know
//! what a browser's XML parser will make of namespaces, entities and CDATA, so [`clean`] parses
//! the file with a real XML parser (`roxmltree`, namespace-aware) and writes a *new* document
//! from what it understood: only elements of an allow-list in the SVG namespace, only
//! attributes of an allow-list, references only to fragments of the same file (links only to
//! `http`/`https`, images only as inline PNG, JPEG, GIF or WebP data), no `url(…)` but `url(#…)`.
//! Everything else is left out with its contents. What the browser reads is then text this
//! module wrote and escaped, never a byte of the attachment's markup.
//!
//! It does not keep animations, style sheets, scripts, foreign content or hyperlinks to
//! other documents: a drawing stays a drawing.

use std::fmt::Write as _;

use roxmltree::{Document, Node, ParsingOptions};

use crate::render::html::escape_into;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Elements deeper than this make the whole file refused (no recursion without bound).
const MAX_DEPTH: usize = 64;
/// At most this many nodes are parsed (a 10 MiB file of empty elements is ~1.7 million).
const MAX_NODES: u32 = 1 << 20;

/// Elements of the SVG namespace that only draw. Notably absent: `script`, `foreignObject`,
/// `style`, `animate`, `set`, `animateMotion`, `animateTransform` (an animation can set an
/// `href` to `javascript:`), `iframe`, `handler`, `listener`, `switch`, `font`, `cursor`.
const ELEMENTS: &[&str] = &[
    "a",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "stop",
    "svg",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
];

/// Attributes without a namespace that only describe geometry and paint. No event handler
/// (`on…`) is here, nor `attributeName`, `begin`, `to`, `from`, `by` of animations.
const ATTRIBUTES: &[&str] = &[
    "alignment-baseline",
    "amplitude",
    "aria-label",
    "azimuth",
    "baseFrequency",
    "baseline-shift",
    "bias",
    "class",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "cx",
    "cy",
    "d",
    "diffuseConstant",
    "direction",
    "display",
    "divisor",
    "dominant-baseline",
    "dx",
    "dy",
    "edgeMode",
    "elevation",
    "exponent",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "filterUnits",
    "flood-color",
    "flood-opacity",
    "font-family",
    "font-size",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fr",
    "fx",
    "fy",
    "gradientTransform",
    "gradientUnits",
    "height",
    "href",
    "id",
    "image-rendering",
    "in",
    "in2",
    "intercept",
    "isolation",
    "k1",
    "k2",
    "k3",
    "k4",
    "kernelMatrix",
    "kernelUnitLength",
    "lang",
    "lengthAdjust",
    "letter-spacing",
    "lighting-color",
    "limitingConeAngle",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "mask",
    "maskContentUnits",
    "maskUnits",
    "method",
    "mix-blend-mode",
    "mode",
    "numOctaves",
    "offset",
    "opacity",
    "operator",
    "order",
    "orient",
    "overflow",
    "paint-order",
    "path",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "points",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "preserveAlpha",
    "preserveAspectRatio",
    "primitiveUnits",
    "r",
    "radius",
    "refX",
    "refY",
    "result",
    "rotate",
    "rx",
    "ry",
    "scale",
    "seed",
    "shape-rendering",
    "side",
    "slope",
    "spacing",
    "specularConstant",
    "specularExponent",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "stitchTiles",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "style",
    "surfaceScale",
    "tableValues",
    "targetX",
    "targetY",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "textLength",
    "transform",
    "type",
    "values",
    "vector-effect",
    "version",
    "viewBox",
    "visibility",
    "width",
    "word-spacing",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xChannelSelector",
    "y",
    "y1",
    "y2",
    "yChannelSelector",
];

/// The SVG rewritten to its safe subset, or `None` when it is not a well-formed SVG document
/// (not UTF-8, not XML, no `svg` root, entity declarations, nesting deeper than 64).
///
/// ```
/// use longhand::render::site::clean_svg;
///
/// let hostile = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">
///   <x:script xmlns:x="http://www.w3.org/2000/svg">alert(2)</x:script><rect width="4"/></svg>"#;
/// let clean = clean_svg(hostile.as_bytes()).expect("an SVG");
/// assert_eq!(clean, "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <rect width=\"4\"/></svg>\n");
/// ```
pub fn clean(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    // Entities could only hide markup from a reader; a drawing needs none. (roxmltree bounds
    // their expansion too; refusing them keeps the rule simple to state.)
    if text.contains("<!ENTITY") {
        return None;
    }
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).ok()?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" || !in_svg(root) {
        return None;
    }
    let mut out = String::with_capacity(text.len().min(1 << 20));
    element(&mut out, root, 0, true)?;
    out.push('\n');
    Some(out)
}

/// Whether an element is of the SVG namespace (or of none, in a file that forgot to say).
fn in_svg(node: Node) -> bool {
    matches!(node.tag_name().namespace(), None | Some(SVG_NS))
}

/// Writes `node` and what it keeps of its subtree; `None` when too deep.
fn element(out: &mut String, node: Node, depth: usize, root: bool) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    let name = node.tag_name().name();
    out.push('<');
    out.push_str(name);
    if root {
        let _ = write!(out, " xmlns=\"{SVG_NS}\"");
    }
    let mut wrote_href = false;
    for attribute in node.attributes() {
        let (kept, value) = match attribute.namespace() {
            None => (attribute.name(), attribute.value()),
            Some(XLINK_NS) if attribute.name() == "href" => ("href", attribute.value()),
            Some(XML_NS) if matches!(attribute.name(), "space" | "lang") => {
                let _ = write!(out, " xml:{}=\"", attribute.name());
                escape_into(out, attribute.value());
                out.push('"');
                continue;
            }
            Some(_) => continue,
        };
        if !ATTRIBUTES.contains(&kept) || !safe_value(name, kept, value) {
            continue;
        }
        // `href` and `xlink:href` on one element: one is written, or the file would not parse.
        if kept == "href" {
            if wrote_href {
                continue;
            }
            wrote_href = true;
        }
        // `xmlns` attributes are not attributes to roxmltree, so none is written twice.
        let _ = write!(out, " {kept}=\"");
        escape_into(out, value);
        out.push('"');
    }
    let children: Vec<Node> = node
        .children()
        .filter(|child| {
            child.is_text()
                || (child.is_element()
                    && in_svg(*child)
                    && ELEMENTS.contains(&child.tag_name().name()))
        })
        .collect();
    if children.is_empty() {
        out.push_str("/>");
        return Some(());
    }
    out.push('>');
    for child in children {
        if child.is_text() {
            escape_into(out, child.text().unwrap_or(""));
        } else {
            element(out, child, depth + 1, false)?;
        }
    }
    let _ = write!(out, "</{name}>");
    Some(())
}

/// Whether an allowed attribute's value is harmless on this element: references stay inside
/// the file, links go to the web, and no value names a script or an outside resource.
fn safe_value(element: &str, attribute: &str, value: &str) -> bool {
    // As a URL or CSS parser reads it: case and whitespace do not matter.
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    if attribute == "href" {
        return match element {
            "a" => {
                squeezed.starts_with('#')
                    || squeezed.starts_with("https://")
                    || squeezed.starts_with("http://")
            }
            "image" | "feImage" => squeezed.starts_with('#') || safe_image_data(&squeezed),
            _ => squeezed.starts_with('#'),
        };
    }
    const BANNED: &[&str] = &[
        "javascript:",
        "vbscript:",
        "data:",
        "expression(",
        "@import",
        "\\",
        "<",
        "behavior",
        "-moz-binding",
        // CSS functions that load a resource without `url(`.
        "image-set(",
        "image(",
        "cross-fade(",
        "src(",
        "element(",
    ];
    if BANNED.iter().any(|b| squeezed.contains(b)) {
        return false;
    }
    // `url(` is allowed only for a fragment of this file: `url(#a)`, `url('#a')`.
    let mut rest = squeezed.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let target = rest.trim_start_matches(['\'', '"']);
        if !target.starts_with('#') {
            return false;
        }
    }
    true
}

/// `data:image/{png,jpeg,gif,webp};base64,` and base64 digits: a raster image, which runs nothing.
fn safe_image_data(url: &str) -> bool {
    ["png", "jpeg", "jpg", "gif", "webp"].iter().any(|kind| {
        url.strip_prefix(&format!("data:image/{kind};base64,"))
            .is_some_and(|data| {
                data.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" \
                        xmlns:xlink=\"http://www.w3.org/1999/xlink\">";

    fn cleaned(inner: &str) -> String {
        clean(format!("{OPEN}{inner}</svg>").as_bytes()).expect("an SVG")
    }

    /// Nothing in the output could run or load anything.
    fn assert_inert(output: &str) {
        let lower = output.to_ascii_lowercase();
        for bad in [
            "<script",
            "<h:",
            "<x:",
            "javascript",
            "<iframe",
            "<embed",
            "<foreignobject",
            "srcdoc",
            " on",
            "<animate",
            "<set",
            "<style",
            "<handler",
            "data:image/svg",
            "evil",
            "<!",
            "<?",
        ] {
            assert!(!lower.contains(bad), "{bad} in {output}");
        }
    }

    #[test]
    fn a_plain_drawing_keeps_its_shapes_text_and_local_references() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \
                   \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
                   <svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
                   xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" viewBox=\"0 0 10 10\" \
                   inkscape:version=\"1.2\"><defs><linearGradient id=\"g\"><stop offset=\"0\" \
                   stop-color=\"red\"/></linearGradient></defs><inkscape:grid/>\
                   <rect width=\"4\" fill=\"url(#g)\" style=\"stroke: blue\"/>\
                   <use xlink:href=\"#g\"/><text x=\"1\">A &amp; B <![CDATA[<C>]]></text></svg>";
        assert_eq!(
            clean(svg.as_bytes()).expect("an SVG"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><defs><linearGradient \
             id=\"g\"><stop offset=\"0\" stop-color=\"red\"/></linearGradient></defs>\
             <rect width=\"4\" fill=\"url(#g)\" style=\"stroke: blue\"/><use href=\"#g\"/>\
             <text x=\"1\">A &amp; B &lt;C&gt;</text></svg>\n"
        );
    }

    #[test]
    fn svg_with_namespaced_script_is_not_published_runnable() {
        let out =
            cleaned("<x:script xmlns:x=\"http://www.w3.org/2000/svg\">alert(1)</x:script><rect/>");
        assert_inert(&out);
        assert!(out.contains("<rect/>"), "{out}");
    }

    #[test]
    fn svg_with_xhtml_script_is_not_published_runnable() {
        let out = cleaned("<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>");
        assert_inert(&out);
    }

    #[test]
    fn svg_with_xhtml_iframe_srcdoc_is_not_published_runnable() {
        let out = cleaned(
            "<h:iframe xmlns:h=\"http://www.w3.org/1999/xhtml\" \
             srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"/>",
        );
        assert_inert(&out);
    }

    #[test]
    fn svg_payloads_of_every_kind_come_out_inert() {
        for payload in [
            "<script>alert(1)</script>",
            "<SCRIPT>alert(1)</SCRIPT>",
            "<script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script>",
            "<a xlink:href=\"javascript:alert(1)\"><text>x</text></a>",
            "<a href=\"JaVaScRiPt:alert(1)\"><text>x</text></a>",
            "<a href=\"&#106;avascript:alert(1)\"><text>x</text></a>",
            "<a href=\"java&#x09;script:alert(1)\"><text>x</text></a>",
            "<a href=\"#x\"><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a>",
            "<a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/><text>x</text></a>",
            "<g onload=\"alert(1)\" ONCLICK=\"alert(1)\" onmouseover=\"alert(1)\"/>",
            "<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></body></foreignObject>",
            "<use href=\"http://evil.example/x.svg#a\"/>",
            "<use xlink:href=\"data:image/svg+xml;base64,PHN2Zz4=#a\"/>",
            "<image href=\"data:image/svg+xml,&lt;svg onload=alert(1)&gt;\"/>",
            "<image href=\"http://evil.example/track.png\"/>",
            "<rect style=\"fill: url(http://evil.example/x)\"/>",
            "<rect style=\"background: u\\72l(http://evil.example)\"/>",
            "<rect style=\"background-image: image-set('http://evil.example/x.png' 1x)\"/>",
            "<style>@import url(http://evil.example/x.css);</style>",
            "<text><![CDATA[<script>alert(1)</script>]]></text>",
            "<handler xmlns:ev=\"http://www.w3.org/2001/xml-events\" ev:event=\"load\">alert(1)</handler>",
            "<iframe src=\"javascript:alert(1)\"/>",
            "<embed src=\"javascript:alert(1)\"/>",
        ] {
            let out = cleaned(payload);
            assert_inert(&out);
        }
    }

    #[test]
    fn href_and_xlink_href_on_one_element_give_one_attribute() {
        let out = cleaned("<use href=\"#a\" xlink:href=\"#b\"/>");
        assert!(out.contains("<use href=\"#a\"/>"), "{out}");
        assert!(Document::parse(&out).is_ok(), "{out}");
    }

    #[test]
    fn inline_raster_images_and_web_links_are_kept() {
        let out = cleaned(
            "<image href=\"data:image/png;base64,iVBORw0KGgo=\"/><a href=\"https://example.org/\">\
             <text>site</text></a>",
        );
        assert!(
            out.contains("href=\"data:image/png;base64,iVBORw0KGgo=\""),
            "{out}"
        );
        assert!(out.contains("href=\"https://example.org/\""), "{out}");
    }

    #[test]
    fn what_is_not_an_svg_document_is_refused() {
        assert_eq!(clean(b"\xff<svg/>"), None);
        assert_eq!(clean(b"<svg><unclosed></svg>"), None);
        assert_eq!(
            clean(b"<html xmlns=\"http://www.w3.org/1999/xhtml\"/>"),
            None
        );
        assert_eq!(
            clean(b"<h:svg xmlns:h=\"http://www.w3.org/1999/xhtml\"/>"),
            None
        );
        assert_eq!(
            clean(b"<!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;\">]><svg>&x;</svg>"),
            None
        );
        let deep = format!("<svg>{}{}</svg>", "<g>".repeat(100), "</g>".repeat(100));
        assert_eq!(clean(deep.as_bytes()), None);
    }
}
