"""Documents on S3-compatible storage, against moto's S3 server started in this process:
the object is written under a name of ours, a download redirects (after the check) to a
short-lived presigned URL that works and carries the file name, and a failure deletes the blob."""

from __future__ import annotations

import urllib.request
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from adv.tenancy.context import tenant_context
from documents.models import Document, DocumentDownload, DocumentVersion
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import HTML_BYTES, PDF_BYTES, pdf_file, upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the document tests.
client_a = support.client_a
seeded_types = support.seeded_types

BUCKET = "adv-documents-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "eu-west-3"}


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, moto_endpoint, monkeypatch):
    """default_storage is django-storages' S3Storage on a fresh bucket of the moto server."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("s3", endpoint_url=moto_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings.CLAMAV_ADDRESS = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "region_name": "eu-west-3",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 30,  # S3_URL_EXPIRY_SECONDS
                "file_overwrite": False,
            },
        },
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def bucket_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_upload_writes_the_object_in_the_bucket(s3, alice, client_a):
    # when alice uploads a K-bis
    document = upload(alice, client_a, file=pdf_file("K-bis Hélios.pdf"))
    # then the bucket holds exactly its bytes, under a name that owes nothing to the file name
    with tenant_context(alice.tenant):
        version = DocumentVersion.objects.get(document=document)
    assert bucket_keys(s3) == [version.file.name]
    assert version.file.name.startswith(f"tenants/{alice.tenant.id}/documents/")
    assert s3.get_object(Bucket=BUCKET, Key=version.file.name)["Body"].read() == PDF_BYTES


def test_a_download_redirects_after_the_check_to_a_presigned_url_that_works(s3, alice, client_a):
    document = upload(alice, client_a, file=pdf_file("Procès-verbal.pdf"))
    kwargs = {"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk}
    # when alice downloads it
    response = alice.client().get(reverse("clients:document_download", kwargs=kwargs))
    # then she is sent to a presigned URL, valid as long as configured, naming the file as an attachment
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["30"]
    assert query["response-content-disposition"][0].startswith("attachment; ")
    assert "filename*=UTF-8''Proc%C3%A8s-verbal.pdf" in query["response-content-disposition"][0]
    # and the URL serves the bytes with those headers
    with urllib.request.urlopen(location, timeout=10) as served:
        assert served.read() == PDF_BYTES
        assert served.headers["Content-Disposition"].startswith("attachment; ")
        assert served.headers["Content-Type"] == "application/pdf"
    # and the download was recorded
    with tenant_context(alice.tenant):
        assert DocumentDownload.objects.filter(membership=alice.membership).count() == 1


def test_a_preview_redirects_to_an_inline_presigned_url(s3, alice, client_a):
    document = upload(alice, client_a)
    kwargs = {"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk}
    response = alice.client().get(reverse("clients:document_preview", kwargs=kwargs))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-disposition"][0].startswith("inline; ")
    assert query["response-content-type"] == ["application/pdf"]


def test_a_member_without_clearance_gets_no_url(s3, alice, bob, client_a):
    document = upload(alice, client_a, security_level=3)
    kwargs = {"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk}
    response = bob.client().get(reverse("clients:document_download", kwargs=kwargs))
    assert response.status_code == 404
    assert "Location" not in response


def test_the_api_streams_the_file_from_the_bucket(s3, alice, client_a):
    from django.test import Client

    from adv.api.services import api_token_create

    document = upload(alice, client_a)
    with tenant_context(alice.tenant):
        _token, raw = api_token_create(actor=alice.membership, name="s3")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_database_failure_deletes_the_object_from_the_bucket(s3, alice, client_a):
    # given the database fails once the object is written
    with mock.patch.object(DocumentVersion, "save", side_effect=RuntimeError("database down")):
        with pytest.raises(RuntimeError):
            upload(alice, client_a)
    # then the bucket is empty and no row exists
    assert bucket_keys(s3) == []
    with tenant_context(alice.tenant):
        assert Document.objects.count() == 0


def test_a_spoofed_file_never_reaches_the_bucket(s3, alice, client_a):
    url = reverse("clients:document_upload", kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk})
    with tenant_context(alice.tenant):
        from documents.models import DocumentType

        kbis = DocumentType.objects.get(code="kbis")
    response = alice.client().post(
        url, {"document_type": str(kbis.pk), "file": SimpleUploadedFile("kbis.pdf", HTML_BYTES)}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert bucket_keys(s3) == []
