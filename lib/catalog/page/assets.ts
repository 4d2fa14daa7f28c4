/**
 * The page's only style sheet and script, served from routes of their own
 * (`/assets/page.css`, `/assets/page.js`) so the Content-Security-Policy needs
 * no 'unsafe-inline' and no hash. Each is linked with `?v=<hash>` and cached
 * for a year: a new deployment changes the hash, hence the URL.
 *
 * Colours pass WCAG AA (4.5:1 for text) on their backgrounds; a held or
 * degraded scope is marked by its word and a border, not by colour alone.
 */
import { shortHash } from '../etag';

const CSS = `:root{color-scheme:light;--fg:#1b1f24;--muted:#4a5260;--line:#d0d7de;--link:#0a55b8;--bg:#fff;--alt:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .5rem}
a{color:var(--link)}a:focus-visible,input:focus-visible,select:focus-visible,button:focus-visible,.scroll:focus-visible{outline:3px solid #0a55b8;outline-offset:2px}
.meta{color:var(--muted);margin:.2rem 0}
form{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:end;margin:.5rem 0}
label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #6e7781;border-radius:4px;background:#fff;color:var(--fg);min-height:2.2rem}
input[type=search]{min-width:16rem}
button{background:#0a55b8;color:#fff;border-color:#0a55b8;cursor:pointer}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.5rem .6rem;color:var(--muted)}
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-top:1px solid var(--line)}
thead th{background:var(--alt);white-space:nowrap}
tbody tr:nth-child(even){background:var(--alt)}
td.url,td.names{word-break:break-all}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-weight:700;font-size:.85rem;border:1px solid}
.s-ok{background:#dafbe1;color:#0b4d1f;border-color:#0b4d1f}
.s-held{background:#fff1c2;color:#5c3c00;border-color:#5c3c00}
.s-degraded{background:#ffe1e1;color:#8a1020;border-color:#8a1020}
.s-never-synced{background:#eef1f4;color:#3b434d;border-color:#3b434d}
tr.alert{box-shadow:inset 4px 0 0 #8a1020}tr.alert.held{box-shadow:inset 4px 0 0 #b07d00}
.arrow{color:var(--muted)}del{color:#8a1020}ins{color:#0b4d1f;text-decoration:none}
nav.pager{display:flex;gap:1rem;align-items:center;margin:.6rem 0}
.changes{list-style:none;padding:0;margin:0}
.banner{background:#fff1c2;color:#3d2800;border:1px solid #5c3c00;border-radius:6px;padding:.5rem .7rem}
#at{min-width:16rem}.hint{flex-basis:100%;margin:0;font-size:.85rem}
.kind{font-weight:700}
.top{display:flex;flex-direction:column}#changes li,.held,.errmsg{overflow-wrap:anywhere}
ol.passes{list-style:none;padding:0;margin:0}
.pass>h3{font-size:1rem;margin:.8rem 0 .2rem}
.changes>li{border-left:4px solid;padding-left:.6rem;margin:.15rem 0}
.k-added{border-left-style:solid;border-color:#0b4d1f}.k-added .kind{color:#0b4d1f}
.k-changed{border-left-style:dashed;border-color:#5c3c00}.k-changed .kind{color:#5c3c00}
.k-removed{border-left-style:double;border-color:#8a1020}.k-removed .kind{color:#8a1020}.k-removed>a{text-decoration:line-through}
ul.fields{margin:.1rem 0 .1rem 1rem;padding:0}ul.plain{list-style:none;padding-left:1rem}
details{display:inline}summary{cursor:pointer;color:var(--link)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.tag{display:inline-block;font-size:.75rem;font-weight:700;padding:0 .35rem;border:1px solid;border-radius:4px;margin-left:.3rem}
.t-new{color:#0b4d1f;background:#dafbe1}.t-changed{color:#5c3c00;background:#fff1c2}
tr.m-new,tr.m-changed{box-shadow:inset 4px 0 0 #0a55b8}
.s-empty{background:#fff1c2;color:#5c3c00;border-color:#5c3c00}
.held,.errmsg{font-size:.85rem}tr.alert.empty{box-shadow:inset 4px 0 0 #b07d00}
@media (max-width:640px){main{padding:.6rem}input[type=search],#at{min-width:0;width:100%}form label{flex:1 1 100%}th,td{padding:.35rem .4rem}
.top>.health{order:-1}
#health thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
#health,#health caption,#health tbody,#health tr,#health td{display:block}#health tr{padding:.3rem .4rem;border-top:1px solid var(--line)}
#health th[scope=row]{display:block;border:0;word-break:break-all;padding:.2rem 0}#health td{border:0;padding:.1rem 0}
#health td[data-label]:not([data-label=Status])::before{content:attr(data-label) ": ";font-weight:600}
#health td[data-label="Consecutive failures"],#health td[data-label="Last success"]{display:none}}
`;

/**
 * Instant search and filters. With every region on the page and no filter
 * applied, rows are shown and hidden in place; otherwise (a filtered or paged
 * table) the same server-rendered page is fetched for the new query and its
 * table swapped in. The address follows the query, so a link shares it.
 */
const JS = `(()=>{"use strict";
const form=document.getElementById("filters"),table=document.getElementById("catalog");
if(!form||!table)return;
const complete=table.dataset.complete==="true";
const rows=Array.from(table.tBodies[0].rows),texts=rows.map(r=>r.textContent.toLowerCase());
const count=document.getElementById("count");
const params=()=>{const p=new URLSearchParams();for(const [k,v] of new FormData(form)){const t=String(v).trim();if(t)p.set(k,t)}return p};
let timer=0,seq=0;
async function fetchPage(p){const mine=++seq;try{const r=await fetch("/?"+p.toString(),{headers:{accept:"text/html"}});if(!r.ok||mine!==seq)return;
const doc=new DOMParser().parseFromString(await r.text(),"text/html");
for(const id of ["results"]){const fresh=doc.getElementById(id),old=document.getElementById(id);if(fresh&&old)old.replaceWith(document.importNode(fresh,true))}}catch(e){}}
function apply(){const p=params();history.replaceState(null,"",p.toString()?"/?"+p.toString():"/");
if(!complete){clearTimeout(timer);timer=setTimeout(()=>fetchPage(p),120);return}
const q=(p.get("q")||"").toLowerCase(),s=p.get("source")||"",c=p.get("cloud")||"";let n=0;
rows.forEach((r,i)=>{const ok=(!q||texts[i].includes(q))&&(!s||r.dataset.source===s)&&(!c||r.dataset.cloud===c);r.hidden=!ok;if(ok)n++});
if(count)count.textContent=n+" of "+rows.length+" regions"}
form.addEventListener("input",apply);form.addEventListener("change",apply);
form.addEventListener("submit",e=>{if(complete){e.preventDefault();apply()}});
})();
`;

export interface Asset {
  path: string;
  body: string;
  contentType: string;
  hash: string;
  /** The URL the page links: path plus the content hash. */
  href: string;
}

function asset(path: string, body: string, contentType: string): Asset {
  const hash = shortHash(body);
  return { path, body, contentType, hash, href: `${path}?v=${hash}` };
}

export const PAGE_CSS = asset('/assets/page.css', CSS, 'text/css; charset=utf-8');
export const PAGE_JS = asset('/assets/page.js', JS, 'text/javascript; charset=utf-8');
export const ASSETS = [PAGE_CSS, PAGE_JS] as const;
