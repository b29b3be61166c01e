// tokenize.js: prints the tokens VS Code's own TextMate engine (vscode-textmate with the
// Oniguruma regular expressions of vscode-oniguruma) finds in journey files with the grammar of
// editors/vscode, one token a line: "LINE:COL text scope scope ...", the root scope left out.
//
//   NODE_PATH=build/editors/node_modules node tests/editors/tokenize.js GRAMMAR FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function main() {
    const [grammarPath, ...files] = process.argv.slice(2);
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
            createOnigString: (s) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
    });
    const grammar = await registry.loadGrammar('source.journey');
    for (const file of files) {
        if (files.length > 1) console.log(`== ${file}`);
        const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
        let state = vsctm.INITIAL;
        lines.forEach((line, i) => {
            const r = grammar.tokenizeLine(line, state);
            for (const t of r.tokens) {
                const text = line.slice(t.startIndex, t.endIndex);
                if (!text.trim()) continue;
                const scopes = t.scopes.filter((s) => s !== 'source.journey');
                console.log(`${i + 1}:${t.startIndex + 1} ${JSON.stringify(text)} ${scopes.join(' ') || '-'}`);
            }
            state = r.ruleStack;
        });
    }
}

main().catch((e) => {
    console.error(`tokenize.js: ${e.stack || e}`);
    process.exit(1);
});
