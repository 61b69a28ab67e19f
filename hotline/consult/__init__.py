"""会商 (issue 17, Build 3): a consultation among 2-4 units when ownership is unclear; the
supervisor's decision is recorded and saved as a routing rule (docs/design/domain.md §6.4)."""
