"""The case registry: cases, persons, participants, victim profiles, events, proceedings."""
