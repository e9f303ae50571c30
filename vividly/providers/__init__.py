"""Pluggable providers (embeddings, LLM, images, speech), chosen by settings.VIVIDLY_PROVIDERS."""
