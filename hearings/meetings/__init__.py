"""Public hearings: announcement, registration and check-in, attendance lists, proceedings."""
