"""Operations that span apps, above the domain apps and below the doors (API, pages,
admin, command line).

A domain app never imports one above it; when one operation must move several apps (a
sale creates the contract and the health checks it owes; a new end date checks the
sessions, moves the term and the health checks), the flow here calls each app's
services, in one transaction, under the lock that the apps' own operations take.
"""
