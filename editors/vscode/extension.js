// Starts `leakfix lsp` for Go files. The server does all the work; this file only tells
// VS Code how to run it and passes the `leakfix.*` settings on (at start and on change).
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("leakfix");
  const command = settings.get("path") || "leakfix";
  const serverOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "go" }],
    initializationOptions: { leakfix: settings },
    synchronize: { configurationSection: "leakfix" },
  };
  client = new LanguageClient("leakfix", "leakfix", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
