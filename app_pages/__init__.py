"""Streamlit pages: UI only; everything they do is in coach/."""
