package dev.gatehouse.challenge;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The challenge page: one self-contained HTML document, no external request. An inline script (allowed
 * by a per-response CSP nonce) starts a Web Worker from a {@code blob:} URL that searches for a number
 * {@code n} such that SHA-256({@code nonce + n}) starts with {@code difficulty} zero bits, using WebCrypto
 * ({@code crypto.subtle.digest}) or, where a page served over plain HTTP has no WebCrypto, a small
 * SHA-256 in JavaScript. A progress bar shows the expected share done; the answer goes to the verify
 * endpoint by navigation (no fetch), which sets the pass and redirects back.
 */
final class ChallengePage {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A rendered page and the CSP that lets exactly its own scripts run. */
    record Rendered(String html, String contentSecurityPolicy) {}

    private ChallengePage() {
    }

    static Rendered render(String nonce, int difficulty, String verifyPath, String returnTo) {
        byte[] r = new byte[16];
        RANDOM.nextBytes(r);
        String csp = Base64.getEncoder().encodeToString(r);
        String policy = "default-src 'none'; script-src 'nonce-" + csp + "'; style-src 'nonce-" + csp + "'; worker-src blob:;"
                + " img-src 'none'; connect-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        Map<String, String> values = Map.of("csp", csp, "nonce", escape(nonce), "difficulty", Integer.toString(difficulty),
                "verify", escape(verifyPath), "return", escape(returnTo));
        StringBuilder html = new StringBuilder(TEMPLATE.length() + 512);
        for (int i = 0; i < PARTS.length; i++) {
            html.append((i & 1) == 0 ? PARTS[i] : values.get(PARTS[i])); // odd parts are placeholder names
        }
        return new Rendered(html.toString(), policy);
    }

    /** The template split at its {@code {{name}}} placeholders once, so rendering is one pass (a page per challenged request). */
    private static String[] split(String template) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int from = 0;
        for (int open = template.indexOf("{{"); open >= 0; open = template.indexOf("{{", from)) {
            int close = template.indexOf("}}", open);
            parts.add(template.substring(from, open));
            parts.add(template.substring(open + 2, close));
            from = close + 2;
        }
        parts.add(template.substring(from));
        return parts.toArray(new String[0]);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static final String TEMPLATE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <meta name="robots" content="noindex,nofollow"><title>Checking your browser&hellip;</title>
            <style nonce="{{csp}}">body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}
            progress{width:100%;height:1em}small{color:#666}</style></head>
            <body id="gh" data-nonce="{{nonce}}" data-difficulty="{{difficulty}}" data-verify="{{verify}}" data-return="{{return}}">
            <h1>Checking your browser&hellip;</h1>
            <p id="gh-status">Your browser is doing a short calculation to show it is not a mass scraper. This takes a moment, once.</p>
            <progress id="gh-progress" max="100" value="0"></progress>
            <p><small>Protected by Gatehouse. A cookie remembers the result; nothing else is stored or sent anywhere.</small></p>
            <noscript><p><strong>This check needs JavaScript.</strong> Your browser computes a small proof of work and then
            continues to the page you asked for. Please enable JavaScript for this site and reload, or contact the
            site's operator if you reach it through a program that cannot run scripts.</p></noscript>
            <script type="text/plain" id="gh-worker">
            "use strict";
            const K=new Uint32Array([0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2]);
            function sha256js(bytes){const l=bytes.length,n=((l+9+63)>>6)<<6,m=new Uint8Array(n);m.set(bytes);m[l]=0x80;
            const dv=new DataView(m.buffer);dv.setUint32(n-4,l*8);const h=new Uint32Array([0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19]),w=new Uint32Array(64);
            for(let o=0;o<n;o+=64){for(let i=0;i<16;i++)w[i]=dv.getUint32(o+i*4);
            for(let i=16;i<64;i++){const a=w[i-15],b=w[i-2];w[i]=(((a>>>7|a<<25)^(a>>>18|a<<14)^(a>>>3))+w[i-7]+((b>>>17|b<<15)^(b>>>19|b<<13)^(b>>>10))+w[i-16])|0;}
            let[a,b,c,d,e,f,g,k]=h;for(let i=0;i<64;i++){const t1=(k+((e>>>6|e<<26)^(e>>>11|e<<21)^(e>>>25|e<<7))+((e&f)^(~e&g))+K[i]+w[i])|0,
            t2=(((a>>>2|a<<30)^(a>>>13|a<<19)^(a>>>22|a<<10))+((a&b)^(a&c)^(b&c)))|0;k=g;g=f;f=e;e=(d+t1)|0;d=c;c=b;b=a;a=(t1+t2)|0;}
            h[0]+=a;h[1]+=b;h[2]+=c;h[3]+=d;h[4]+=e;h[5]+=f;h[6]+=g;h[7]+=k;}
            const out=new Uint8Array(32),ov=new DataView(out.buffer);for(let i=0;i<8;i++)ov.setUint32(i*4,h[i]);return out;}
            function zeros(hash){let z=0;for(const b of hash){if(b===0){z+=8;continue;}return z+Math.clz32(b)-24;}return z;}
            onmessage=async(ev)=>{const nonce=ev.data.nonce,difficulty=ev.data.difficulty,enc=new TextEncoder();
            const subtle=self.crypto&&self.crypto.subtle;const batch=256;
            for(let start=0;;start+=batch){
            const inputs=[];for(let i=start;i<start+batch;i++)inputs.push(enc.encode(nonce+i));
            const hashes=subtle?await Promise.all(inputs.map(x=>subtle.digest("SHA-256",x))):inputs.map(sha256js);
            for(let i=0;i<batch;i++){if(zeros(new Uint8Array(hashes[i]))>=difficulty){postMessage({answer:start+i,tried:start+i+1});return;}}
            postMessage({tried:start+batch});}};
            </script>
            <script nonce="{{csp}}">
            "use strict";
            (function(){const body=document.getElementById("gh"),bar=document.getElementById("gh-progress"),status=document.getElementById("gh-status");
            const nonce=body.dataset.nonce,difficulty=Number(body.dataset.difficulty),expected=Math.pow(2,difficulty);
            const src=document.getElementById("gh-worker").textContent;
            let worker;try{worker=new Worker(URL.createObjectURL(new Blob([src],{type:"text/javascript"})));}
            catch(e){status.textContent="Your browser could not start the check ("+e+"). Please try another browser.";return;}
            const began=performance.now();
            worker.onmessage=(ev)=>{const d=ev.data;bar.value=Math.min(99,100*(1-Math.exp(-d.tried/expected)));
            if(d.answer===undefined)return;bar.value=100;status.textContent="Done in "+Math.round(performance.now()-began)+" ms, continuing...";
            location.replace(body.dataset.verify+"?nonce="+encodeURIComponent(nonce)+"&answer="+d.answer+"&return="+encodeURIComponent(body.dataset.return)
            +"&ms="+Math.round(performance.now()-began));};
            worker.onerror=(e)=>{status.textContent="The check failed in your browser ("+e.message+"). Please reload.";};
            worker.postMessage({nonce:nonce,difficulty:difficulty});})();
            </script>
            </body></html>
            """;

    private static final String[] PARTS = split(TEMPLATE);
}
