// Placeholder: filled by the hardening work (issue 14).
