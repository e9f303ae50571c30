"""Media layer for lessons: slides, narration, composition and delivery (issue 7).

- `slides.LocalSlideRenderer` / `themes.theme_for`: the offline ImageProvider ("local_slides").
- `speech.EspeakSpeech`: the offline SpeechProvider ("espeak").
- `compose.compose_video(segments, out_dir) -> ComposedVideo` (raises `ComposeError`).
- `resilient.render_with_fallback(spec)` / `synthesize_with_fallback(text) -> MediaResult`.
- `storage.save_lesson_asset(path_in_storage, local_file) -> url`; `serving.serve_media(request, path)`.

Pure functions and classes: nothing here imports the pipeline's models.
"""
