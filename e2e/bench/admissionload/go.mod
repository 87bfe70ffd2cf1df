module traceroll.local/admissionload

go 1.24
