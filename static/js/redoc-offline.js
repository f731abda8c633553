// ReDoc's sidebar footer always shows Redocly's logo from cdn.redoc.ly, with no option to turn it
// off. The site loads nothing from other hosts (CSP), so that request would only be refused and
// logged. Loaded before ReDoc's bundle: an <img> pointed at that CDN gets the local favicon instead,
// however the bundle sets it (the src property or the attribute).
(() => {
  const CDN = "https://cdn.redoc.ly/";
  const local = (value) => (String(value).startsWith(CDN) ? document.querySelector('link[rel="icon"]').href : value);
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) { src.set.call(this, local(value)); },
  });
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    const isImageSource = this instanceof HTMLImageElement && name.toLowerCase() === "src";
    return setAttribute.call(this, name, isImageSource ? local(value) : value);
  };
})();
