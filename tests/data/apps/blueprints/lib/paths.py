def archive_path(name: str) -> str:
    return "archive/" + name
