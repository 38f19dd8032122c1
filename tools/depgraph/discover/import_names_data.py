"""Import names of common distributions whose names do not say them (generated: do not edit).

Written by tools/scripts/import_names_table.py from the installed metadata (RECORD) of these
distributions, installed with pip from PyPI into a throwaway environment:
ag-ui-protocol==1.0.0 apache-airflow-core==3.3.2 apache-airflow-task-sdk==1.3.2 apache-airflow==3.3.2
argon2-cffi-bindings==26.2.0 argon2-cffi==25.1.0 attrs==26.1.0 azureml-core==1.61.0.post4
beautifulsoup4==4.15.0 biopython==1.88 black==26.10.1 cassandra-driver==3.30.1 cffi==2.1.1
delta_spark==4.4.1 faiss-cpu==1.15.1 fastmcp-slim==4.2.3 GitPython==3.2.1 google-api-python-client==2.202.0
google-auth==2.63.0 google-cloud-aiplatform==2.7.0 google-cloud-bigquery==3.47.0 google-cloud-core==2.8.0
google-cloud-storage==3.17.1 griffelib==2.4.1 grpc-google-iam-v1==0.14.6 grpcio==1.85.3
ibis-framework==12.0.0 ipykernel==7.4.0 jupyter==1.1.1 jupyter_core==5.9.1 matplotlib==3.11.2
memory-profiler==0.61.0 openai-agents==0.24.0 opencv-python==5.1.0.95 opentelemetry-api==1.45.2
opentelemetry-sdk==1.45.2 opentelemetry-semantic-conventions==0.66b2 pillow==13.0.0 proto-plus==1.29.0
protobuf==7.36.2 psycopg2-binary==2.9.13 pydocket==0.27.2 PyJWT==2.15.1 pymongo==4.20.1 pymupdf==2.1
pyOpenSSL==26.4.0 pyserial==3.5 pytest==9.2.0 python-json-logger==4.2.0 PyYAML==6.0.4 pyzmq==27.3.0
scikit-learn==1.9.1 scylla-driver==3.29.12 setuptools==65.5.0 sympy==1.14.0 tortoise-orm==1.1.9
u8darts==0.41.0 weaviate-client==4.24.1 websocket-client==1.9.2
"""

TABLE: dict[str, tuple[str, ...]] = {
    "ag-ui-protocol": ("ag_ui",),
    "apache-airflow": (
        "airflow",
        "airflow.sdk",
    ),
    "apache-airflow-core": ("airflow",),
    "apache-airflow-task-sdk": ("airflow.sdk",),
    "argon2-cffi": ("argon2",),
    "argon2-cffi-bindings": ("_argon2_cffi_bindings",),
    "attrs": (
        "attr",
        "attrs",
    ),
    "azureml-core": ("azureml",),
    "beautifulsoup4": ("bs4",),
    "biopython": (
        "Bio",
        "BioSQL",
    ),
    "black": (
        "_black_version",
        "black",
        "blackd",
        "blib2to3",
    ),
    "cassandra-driver": ("cassandra",),
    "cffi": (
        "_cffi_backend",
        "cffi",
    ),
    "delta-spark": ("delta",),
    "faiss-cpu": ("faiss",),
    "fastmcp-slim": ("fastmcp",),
    "gitpython": ("git",),
    "google-api-python-client": (
        "apiclient",
        "googleapiclient",
    ),
    "google-auth": (
        "google.auth",
        "google.oauth2",
    ),
    "google-cloud-aiplatform": (
        "agentplatform",
        "google.cloud.aiplatform",
        "google.cloud.aiplatform_v1",
        "google.cloud.aiplatform_v1beta1",
        "vertex_ray",
        "vertexai",
    ),
    "google-cloud-bigquery": (
        "google.cloud.bigquery",
        "google.cloud.bigquery_v2",
    ),
    "google-cloud-core": (
        "google.cloud._helpers",
        "google.cloud._http",
        "google.cloud._testing",
        "google.cloud.client",
        "google.cloud.environment_vars",
        "google.cloud.exceptions",
        "google.cloud.obsolete",
        "google.cloud.operation",
        "google.cloud.version",
    ),
    "google-cloud-storage": (
        "google.cloud._storage",
        "google.cloud._storage_v2",
        "google.cloud.storage",
    ),
    "griffelib": ("griffe",),
    "grpc-google-iam-v1": ("google.iam.v1",),
    "grpcio": ("grpc",),
    "ibis-framework": ("ibis",),
    "ipykernel": (
        "ipykernel",
        "ipykernel_launcher",
    ),
    "jupyter": (
        "ipykernel",
        "ipykernel_launcher",
        "ipywidgets",
        "jupyter_console",
        "jupyterlab",
        "nbconvert",
        "notebook",
    ),
    "jupyter-core": (
        "jupyter",
        "jupyter_core",
    ),
    "matplotlib": (
        "matplotlib",
        "mpl_toolkits.axes_grid1",
        "mpl_toolkits.axisartist",
        "mpl_toolkits.mplot3d",
        "pylab",
    ),
    "memory-profiler": (
        "memory_profiler",
        "mprof",
    ),
    "openai-agents": ("agents",),
    "opencv-python": ("cv2",),
    "opentelemetry-api": (
        "opentelemetry._logs",
        "opentelemetry.attributes",
        "opentelemetry.baggage",
        "opentelemetry.context",
        "opentelemetry.environment_variables",
        "opentelemetry.metrics",
        "opentelemetry.propagate",
        "opentelemetry.propagators._envcarrier",
        "opentelemetry.propagators.composite",
        "opentelemetry.propagators.textmap",
        "opentelemetry.trace",
        "opentelemetry.util._decorator",
        "opentelemetry.util._importlib_metadata",
        "opentelemetry.util._once",
        "opentelemetry.util._providers",
        "opentelemetry.util.re",
        "opentelemetry.util.types",
        "opentelemetry.version",
    ),
    "opentelemetry-sdk": (
        "opentelemetry.sdk._configuration",
        "opentelemetry.sdk._logs",
        "opentelemetry.sdk._shared_internal",
        "opentelemetry.sdk.environment_variables",
        "opentelemetry.sdk.error_handler",
        "opentelemetry.sdk.metrics",
        "opentelemetry.sdk.resources",
        "opentelemetry.sdk.trace",
        "opentelemetry.sdk.util",
        "opentelemetry.sdk.version",
    ),
    "opentelemetry-semantic-conventions": ("opentelemetry.semconv",),
    "pillow": ("PIL",),
    "proto-plus": ("proto",),
    "protobuf": (
        "google._upb._message",
        "google.protobuf",
    ),
    "psycopg2-binary": ("psycopg2",),
    "pydocket": ("docket",),
    "pyjwt": ("jwt",),
    "pymongo": (
        "bson",
        "gridfs",
        "pymongo",
    ),
    "pymupdf": (
        "fitz",
        "pymupdf",
        "pymupdf4llm",
    ),
    "pyopenssl": ("OpenSSL",),
    "pyserial": ("serial",),
    "pytest": (
        "_pytest",
        "py",
        "pytest",
    ),
    "python-json-logger": ("pythonjsonlogger",),
    "pyyaml": (
        "_yaml",
        "yaml",
    ),
    "pyzmq": ("zmq",),
    "scikit-learn": ("sklearn",),
    "scylla-driver": ("cassandra",),
    "setuptools": (
        "_distutils_hack",
        "pkg_resources",
        "setuptools",
    ),
    "sympy": (
        "isympy",
        "sympy",
    ),
    "tortoise-orm": ("tortoise",),
    "u8darts": ("darts",),
    "weaviate-client": ("weaviate",),
    "websocket-client": ("websocket",),
}
