// Starts `promosim lsp` as the language server for .promo rule files and for
// scenario YAML under a `scenarios/` directory. Everything else (diagnostics,
// hover, navigation, completion, formatting, quick fixes) is the server's.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function createClient() {
  const command = vscode.workspace.getConfiguration('promosim').get('path') || 'promosim';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'promo' },
      { scheme: 'untitled', language: 'promo' },
      { scheme: 'file', language: 'yaml', pattern: '**/scenarios/**/*.{yaml,yml}' },
    ],
  };
  return new LanguageClient('promosim', 'promosim', serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `promosim: could not start \`promosim lsp\` (${error}). Install promosim or set "promosim.path".`
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('promosim.path')) {
        await stop();
        await start();
      }
    }),
    { dispose: () => stop() }
  );
  return start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
