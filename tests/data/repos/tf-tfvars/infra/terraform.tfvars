# Values every environment shares; env/*.tfvars hold the differences.
project_name   = "ledger-sync"
python_version = "3.9"
