"""The filing service (contract §11): accounts, uploads, receipts, findings, filing status and
packs, as web pages and a JSON API over the same intake, gate and ledger as the CLI."""
