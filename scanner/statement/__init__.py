"""The privacy statement: find it (find), read it (text, reader), cut it into sentences (segment)
and extract the claims it makes (claims, with patterns from rules/claims/<lang>.yaml)."""
