from azure.storage.blob import BlobServiceClient

from .paths import archive_path


async def archive(name: str) -> None:
    copy_blob(name)


def copy_blob(name: str) -> None:
    service = BlobServiceClient.from_connection_string("UseDevelopmentStorage=true")
    blob = service.get_blob_client("archive", archive_path(name))
    blob.upload_blob(b"", overwrite=True)
