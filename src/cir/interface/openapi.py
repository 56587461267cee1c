from pathlib import Path

#: The committed OpenAPI document; CI fails when it drifts from the code.
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yaml"
