"""An S3 front that checks SigV4 signatures, for the objectstore tests.

s3rver does not verify signatures, so this front does what AWS S3 does before it forwards a
request to s3rver: recompute the signature with botocore (Debian's python3-botocore, AWS's
own signer) from the request as received and the secret, and answer 403 SignatureDoesNotMatch
when it differs, 400 XAmzContentSHA256Mismatch when the body's SHA-256 is not the one signed.

    sigv4_verifier.py LISTEN_PORT TARGET_PORT TEST_PID    (secret in $SIGV4_SECRET, never on argv)

It exits once TEST_PID is no longer its parent: a test that crashes never leaves it behind.
"""
import hashlib
import http.client
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LISTEN, TARGET, TEST_PID = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
SECRET = os.environ["SIGV4_SECRET"]


class AsReceived(S3SigV4Auth):
    # Sign the request as it came, without botocore adding or changing headers first.
    def _modify_request_before_signing(self, request):
        pass


def expected_signature(handler, body):
    auth = handler.headers["Authorization"]
    credential = auth.split("Credential=")[1].split(",")[0].split("/")
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    headers = {k: v for k, v in handler.headers.items() if k.lower() in signed and k.lower() != "host"}
    request = AWSRequest(method=handler.command, url="http://" + handler.headers["Host"] + handler.path,
                         data=body, headers=headers)
    request.context["timestamp"] = handler.headers["x-amz-date"]
    signer = AsReceived(Credentials(credential[0], SECRET, handler.headers.get("x-amz-security-token")),
                        "s3", credential[2])
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical), request)


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body, headers=()):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def refuse(self, status, code):
        xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>refused by the " \
              "SigV4 verifier</Message></Error>" % code
        self.answer(status, xml.encode(), [("Content-Type", "application/xml")])

    def handle_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "Authorization" in self.headers:
            if "Signature=" + expected_signature(self, body) not in self.headers["Authorization"]:
                return self.refuse(403, "SignatureDoesNotMatch")
            if self.headers.get("x-amz-content-sha256") != hashlib.sha256(body).hexdigest():
                return self.refuse(400, "XAmzContentSHA256Mismatch")
        upstream = http.client.HTTPConnection("127.0.0.1", TARGET)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        upstream.request(self.command, self.path, body=body if self.command in ("PUT", "POST") else None,
                         headers=headers)
        response = upstream.getresponse()
        data = response.read()
        passed = [(k, v) for k, v in response.getheaders()
                  if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")]
        if self.command == "HEAD":
            # A HEAD answer carries the object's length but no body.
            self.send_response_only(response.status)
            for name, value in passed:
                self.send_header(name, value)
            self.send_header("Content-Length", response.getheader("Content-Length", "0"))
            self.end_headers()
            return
        self.answer(response.status, data, passed)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_request

    def log_message(self, *args):
        pass


def exit_with_parent():
    if os.getppid() != TEST_PID:
        os._exit(0)
    timer = threading.Timer(0.5, exit_with_parent)
    timer.daemon = True
    timer.start()


exit_with_parent()
ThreadingHTTPServer(("127.0.0.1", LISTEN), Front).serve_forever()
