"""Services: each public function performs one clerk action in one short transaction, together
with its audit entry, and raises DomainError with the Japanese message for the clerk."""
