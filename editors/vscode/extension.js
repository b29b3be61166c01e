// extension.js: what the cjm extension adds to VS Code beyond its declarative parts
// (package.json): tasks that run `cjm check`, `cjm run` and `cjm fmt --check` on the journey in
// the editor with the `$cjm` problem matcher, and document formatting through `cjm fmt -`.
// It never changes a document when cjm reports an error.
'use strict';
const vscode = require('vscode');
const { spawn } = require('child_process');
const path = require('path');

function cjmPath() {
    return vscode.workspace.getConfiguration('cjm').get('path') || 'cjm';
}

// A task for `cjm COMMAND FILE`; problems in its output go to the Problems panel.
function makeTask(definition, scope) {
    const file = definition.file || '${file}';
    const args = definition.command === 'fmt' ? ['fmt', '--check', file] : [definition.command, file];
    const task = new vscode.Task(definition, scope || vscode.TaskScope.Workspace, `${definition.command} ${definition.file ? path.basename(definition.file) : 'current file'}`,
        'cjm', new vscode.ProcessExecution(cjmPath(), ['--color=never', ...args]), ['$cjm']);
    if (definition.command === 'check') task.group = vscode.TaskGroup.Build;
    return task;
}

const taskProvider = {
    provideTasks() {
        return ['check', 'run', 'fmt'].map((command) => makeTask({ type: 'cjm', command }));
    },
    resolveTask(task) {
        if (!task.definition.command) return undefined;
        return makeTask(task.definition, task.scope);
    },
};

// Runs `cjm fmt -` on the text; resolves to the formatted text, or rejects with cjm's messages.
function formatText(text, cwd) {
    return new Promise((resolve, reject) => {
        const child = spawn(cjmPath(), ['--color=never', 'fmt', '-'], { cwd });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', (e) => reject(new Error(`cannot run ${cjmPath()}: ${e.message} (set cjm.path)`)));
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err.trim() || `cjm fmt exited with ${code}`))));
        child.stdin.end(text);
    });
}

const formatter = {
    async provideDocumentFormattingEdits(document) {
        const text = document.getText();
        try {
            const formatted = await formatText(text, path.dirname(document.uri.fsPath));
            if (formatted === text) return [];
            const all = new vscode.Range(document.positionAt(0), document.positionAt(text.length));
            return [vscode.TextEdit.replace(all, formatted)];
        } catch (e) {
            vscode.window.showWarningMessage(`cjm fmt: ${e.message.split('\n')[0]}`);
            return [];
        }
    },
};

function activate(context) {
    context.subscriptions.push(
        vscode.tasks.registerTaskProvider('cjm', taskProvider),
        vscode.languages.registerDocumentFormattingEditProvider({ language: 'journey' }, formatter),
    );
}

function deactivate() {}

module.exports = { activate, deactivate };
