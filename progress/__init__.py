"""How a plan is going: visits against plan, re-examination, pain and disability trends, goals."""
