"""Example pipeline: subjects, sessions and spike sorting."""
