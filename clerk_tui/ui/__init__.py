"""The Textual UI: screens collect input, call one service, and show its result or its error."""
