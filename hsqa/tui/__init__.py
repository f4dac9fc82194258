"""The Textual chat app. Only this subpackage imports textual."""
