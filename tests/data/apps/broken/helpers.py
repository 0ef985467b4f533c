def parse(body: bytes) -> bytes:
    return body[
