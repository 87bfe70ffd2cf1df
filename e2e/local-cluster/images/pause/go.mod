module traceroll.local/pause

go 1.22
