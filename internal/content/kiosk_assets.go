package content

import (
	"crypto/sha256"
	"encoding/hex"
)

// The kiosk's own style sheet, script and service worker, kept here (a few KB) so that a
// kiosk page needs nothing else: no site style sheet, no font, no image. The site's CSP allows
// no inline script or style, so they are served as files (kioskCSS, kioskJS at content-hashed
// URLs cached for a year; the service worker at a fixed URL, revalidated).

const kioskCSS = `*{box-sizing:border-box}
html{font-size:24px}
body{margin:0;background:#0b2540;color:#fff;font-family:system-ui,"Noto Sans SC","Microsoft YaHei",sans-serif;line-height:1.5}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;padding:.6rem 1rem;background:#12365c}
header h1{margin:0;font-size:1.4rem}
header small,.muted{color:#b8cbe0}
main{padding:1rem;max-width:60rem;margin:0 auto}
a{color:#ffe27a}
ol.kiosk-items{list-style:none;margin:0;padding:0}
.kiosk-items li{margin:0 0 1rem;padding:1rem;border-radius:.5rem;background:#173f69}
.kiosk-items a{font-size:1.6rem;font-weight:700;text-decoration:none;display:block}
.kiosk-items p{margin:.4rem 0 0;font-size:1.1rem}
.kiosk-rotating li{display:none}
.kiosk-rotating li.on{display:block;min-height:60vh}
.kiosk-rotating li.on a{font-size:2.4rem}
.kiosk-rotating li.on p{font-size:1.4rem}
.kiosk-tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#c0392b;color:#fff;font-size:.9rem}
article{font-size:1.2rem}
article h1{font-size:2rem}
article img{max-width:100%;height:auto}
.kiosk-back{display:inline-block;margin:0 0 1rem;font-size:1.2rem}
.kiosk-offline{display:none;background:#7a5b00;padding:.3rem 1rem}
body.offline .kiosk-offline{display:block}
@media (max-width:480px){html{font-size:16px}}
`

// kioskJS rotates the featured items (one shown large at a time, every 12 seconds; tapping
// the screen shows the next), marks the page when the link is down, and registers the service
// worker. Without it the page shows the whole list.
const kioskJS = `(function(){
var l=document.querySelector("ol.kiosk-items");
if(l&&l.children.length>1){
 l.classList.add("kiosk-rotating");var i=0,n=l.children.length;
 var show=function(){for(var k=0;k<n;k++){l.children[k].classList.toggle("on",k===i)}};
 show();setInterval(function(){i=(i+1)%n;show()},12000);
 l.addEventListener("click",function(e){if(e.target.tagName!=="A"){i=(i+1)%n;show()}});
}
var mark=function(){document.body.classList.toggle("offline",!navigator.onLine)};
addEventListener("online",mark);addEventListener("offline",mark);mark();
if(l){setInterval(function(){if(navigator.onLine)location.reload()},600000)}
if("serviceWorker" in navigator){navigator.serviceWorker.register("/kiosk/sw.js").catch(function(){})}
})();
`

// kioskSW is the kiosk's service worker: kiosk pages are fetched from the network first and
// kept in a cache; when the link is down the last copy is shown. The style sheet and script
// (content-hashed) are served from the cache first.
const kioskSW = `var C="kepu-kiosk-v1";
self.addEventListener("install",function(){self.skipWaiting()});
self.addEventListener("activate",function(e){e.waitUntil(self.clients.claim())});
self.addEventListener("fetch",function(e){
 var r=e.request;if(r.method!=="GET")return;
 var u=new URL(r.url);if(u.origin!==location.origin||u.pathname.indexOf("/kiosk/")!==0)return;
 if(u.searchParams.has("v")){
  e.respondWith(caches.match(r).then(function(hit){return hit||fetch(r).then(function(res){var c=res.clone();caches.open(C).then(function(k){k.put(r,c)});return res})}));
  return;
 }
 e.respondWith(fetch(r).then(function(res){if(res.ok){var c=res.clone();caches.open(C).then(function(k){k.put(r,c)})}return res})
  .catch(function(){return caches.match(r).then(function(hit){return hit||Response.error()})}));
});
`

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

var (
	kioskCSSURL = "/kiosk/kiosk.css?v=" + shortHash(kioskCSS)
	kioskJSURL  = "/kiosk/kiosk.js?v=" + shortHash(kioskJS)
)
