"""Operations (raids, mass rescues), victim screening, embassy and repatriation lists."""
