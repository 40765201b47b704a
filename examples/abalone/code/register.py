"""Register: records the approved model's URI. A real registry client would
call its API here; the example prints what it would register."""
import sys

if len(sys.argv) != 2 or not sys.argv[1].startswith("s3://"):
    sys.exit("usage: register.py MODEL_S3_URI")
print(f"register: model {sys.argv[1]}")
